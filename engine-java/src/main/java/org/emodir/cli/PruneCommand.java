package org.emodir.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.emodir.data.DataDirs;
import org.emodir.engine.Precision;
import org.emodir.pipeline.PruneConfig;
import org.emodir.pipeline.PruneJob;
import org.emodir.report.ReportJson;
import org.emodir.report.ResultTable;
import org.emodir.report.RunReport;
import org.emodir.run.ConsoleProgress;
import org.emodir.run.ProgressListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emodir prune}: the EMO-DIR pipeline end to end (see docs/pipeline.md). */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description = {
            "Prune a CIFAR ResNet with EMO-DIR: per-stage NSGA-II, GPIR joint scheme, constraint training,",
            "fine-tuning, baselines; writes OUT/report.json, OUT/report.html and OUT/pruned/.",
            "Defaults are the 'quick' preset (minutes on 2 cores); --preset paper for the full-size run."
        })
class PruneCommand implements Callable<Integer> {
    @Option(
            names = "--preset",
            defaultValue = "quick",
            description = "quick or paper (default ${DEFAULT-VALUE}); options below override it.")
    String preset;

    @Option(names = "--model", description = "resnet20/32/44/56/110 (quick: resnet20, paper: resnet56).")
    String model;

    @Option(
            names = "--weights",
            description =
                    "state_dict (.safetensors or .pt); default: the shared pretrained CIFAR-10 weights of --model.")
    Path weights;

    @Option(
            names = "--data",
            description =
                    "data root (holding datasets/cifar10-jpg) or an ImageFolder root with train/ and test/ (read at 32x32) or train/ and val/ (ImageNet layout, read at 256/224); default $EMODIR_DATA or ../shared.")
    Path data;

    @Option(
            names = "--cache-dir",
            description = "where decoded images are cached (default: $EMODIR_CACHE or ~/.cache/emodir).")
    Path cacheDir;

    @Option(
            names = "--classes",
            description =
                    "ImageNet layout only: 'imagenet100' (the bundled CMC list) or a file of WordNet ids, one a line"
                            + " (default: all classes).")
    String classes;

    @Option(
            names = "--skip-bad-images",
            description = "ImageNet layout only: leave out missing, unlabelled or undecodable images (counted in the"
                    + " report) instead of stopping at the first.")
    boolean skipBadImages;

    @Option(names = "--out", required = true, description = "run directory.")
    Path out;

    @Option(names = "--target-flops", description = "fraction of whole-network MACs to remove (default 0.5).")
    Double targetFlops;

    @Option(names = "--target-params", description = "fraction of parameters to remove instead.")
    Double targetParams;

    @Option(names = "--generations")
    Integer generations;

    @Option(names = "--population")
    Integer population;

    @Option(names = "--calib-per-class", description = "calibration images per class.")
    Integer calibPerClass;

    @Option(names = "--heldout-per-class", description = "GPIR held-out images per class.")
    Integer heldOutPerClass;

    @Option(
            names = "--selection-per-class",
            description =
                    "images per class, disjoint from the calibration and GPIR held-out ones, that choose among the best joint schemes and score every trade-off/hypervolume (0: the held-out images do both).")
    Integer selectionPerClass;

    @Option(
            names = "--feature-storage",
            description =
                    "fp32 (default) or bf16: how the cached features are stored; bf16 halves their memory and disk (ImageNet scale), readers decode to fp32.")
    String featureStorage;

    @Option(
            names = "--precision",
            description =
                    "fp32 (default) or bf16: conv arithmetic of the native evaluator that scores the searches' populations (every sub-network search, and the whole-network baseline's search): bf16 weights and inputs, fp32 accumulation, 1.48-1.62x faster on ResNet-56 stages where the CPU has AVX512_BF16 (no faster without it). GPIR, scheme selection, trade-offs and accuracies stay fp32. A result setting; with --spark the executors evaluate at it too.")
    String precision;

    @Option(
            names = "--rescore-schemes",
            description =
                    "measure the N best predicted joint schemes as whole networks on the selection images and apply the best measured one (1: apply the exact scheme as predicted; default 4).")
    Integer rescoreSchemes;

    @Option(
            names = "--bridge-top-k",
            description =
                    "the paper's order: constraint-train the K front solutions of each sub-network nearest the first choice, on the previous sub-networks' pruned features, before GPIR ranks them (default 0: rank untrained sub-networks, train the applied scheme afterwards).")
    Integer bridgeTopK;

    @Option(names = "--front-cap", description = "most solutions kept per sub-network front.")
    Integer frontCap;

    @Option(names = "--min-channels", description = "channels every layer keeps at least.")
    Integer minChannels;

    @Option(
            names = "--subnets-per-stage",
            description = "sub-networks each stage is cut into, runs of whole blocks (default 1; 2 = half-stages).")
    Integer subnetsPerStage;

    @Option(
            names = "--constraint-steps",
            description = "mini-batches of cross-network constraint training per pruned sub-network.")
    Integer constraintSteps;

    @Option(names = "--constraint-lambda", description = "weight of the feature MSE term.")
    Double constraintLambda;

    @Option(names = "--finetune-epochs", description = "fine-tune budget in epochs (fractions allowed).")
    Double finetuneEpochs;

    @Option(names = "--finetune-lr")
    Double finetuneLr;

    @Option(names = "--distill-alpha", description = "weight of distillation from the dense model (0 = off).")
    Double distillAlpha;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--eval-images", description = "test images evaluated (0 = all).")
    Integer evalImages;

    @Option(
            names = "--baseline",
            split = ",",
            description =
                    "extra baselines, comma-separated: 'whole-network' (NSGA-II over all channels with whole-network fitness; its member nearest the target is trained like EMO-DIR's network), 'criteria' (global BN-scale and random channels at the same FLOPs, trained likewise). Uniform L1 and the dense fine-tune always run.")
    java.util.List<String> baseline;

    @Option(
            names = "--baseline-evaluations",
            description = "evaluation budget of that baseline (default: the EMO-DIR search's).")
    Integer baselineEvaluations;

    @Option(
            names = "--baseline-cost-ratio",
            description =
                    "instead: run that baseline until its forward FLOPs are this multiple of the EMO-DIR search's (e.g. 5).")
    Double baselineCostRatio;

    @Option(
            names = "--baseline-calib-per-class",
            description = "calibration images per class of that baseline's fitness (default: --calib-per-class).")
    Integer baselineCalibPerClass;

    @Option(
            names = "--tradeoff-step",
            description = "spacing of the whole-network trade-off curve's targets (default 0.01).")
    Double tradeoffStep;

    @Option(
            names = "--gpir-adaptive-bn",
            negatable = true,
            description =
                    "recalibrate each pruned sub-network's BatchNorm statistics on the calibration images before measuring its GPIR, and every trade-off point likewise (libtorch; --no-gpir-adaptive-bn: plain native GPIR). Default: the preset's.")
    Boolean gpirAdaptiveBn;

    @Option(
            names = "--impairment",
            description =
                    "what each sub-network search minimises next to FLOPs: mse (output MSE vs the dense sub-network, normalised; default), selector (cross-entropy of a softmax head trained on the dense sub-network's pooled output, the paper's feature selector), or both (search on mse, also score the fronts with the selector and measure how each predicts whole-network held-out CE at equal FLOPs).")
    String impairment;

    @Option(
            names = "--normalization",
            description =
                    "pixel statistics the weights were trained with: imagenet, or MEAN/STD as r,g,b/r,g,b (default: the weights file's metadata normalization_mean/normalization_std, else imagenet).")
    String normalization;

    @Option(
            names = "--latency",
            negatable = true,
            description =
                    "time the dense and the pruned model (libtorch, onnxruntime) after pruning (default on; --no-latency skips it).")
    Boolean latency;

    @Option(names = "--threads")
    Integer threads;

    @Option(
            names = "--spark",
            paramLabel = "MASTER",
            description = "evaluate the searches' populations on Apache Spark at this master URL (local[*],"
                    + " local-cluster[N,cores,MB], spark://host:port); needs the engine-spark jar (README, Running on a"
                    + " cluster). Same fronts as without.")
    String spark;

    @Option(names = "--seed")
    Long seed;

    @Option(names = "--resume", description = "continue a killed run (automatic when the settings match).")
    boolean resume;

    @Option(names = "--force", description = "start over in a directory that holds a run.")
    boolean force;

    @Option(names = "--json", description = "print report.json instead of the progress and result table.")
    boolean json;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PruneConfig cfg = configure().build();
        if (cfg.spark() != null) org.emodir.engine.PopulationEvaluators.requireRemote("spark");
        ProgressListener progress = json ? ProgressListener.SILENT : new ConsoleProgress(System.out);
        RunReport report = new PruneJob(cfg, progress).run();
        System.out.println(json ? ReportJson.toJson(report) : ResultTable.format(report));
        return 0;
    }

    /** The preset with every option given on the command line applied. */
    PruneConfig.Builder configure() throws java.io.IOException {
        PruneConfig.Builder b = switch (preset) {
            case "quick" -> PruneConfig.quick();
            case "paper" -> PruneConfig.paper();
            default -> throw new IllegalArgumentException("--preset must be quick or paper, got '" + preset + "'");
        };
        if (model != null) b.model(model);
        String arch = model != null ? model : b.currentModel();
        Path root = data != null ? data : DataDirs.shared();
        b.data(root).out(out).weights(weights != null ? weights : defaultWeights(arch));
        b.cacheDir(cacheDir != null ? cacheDir : DataOptions.defaultCacheDir());
        b.dataSelection(
                new org.emodir.data.DataSelection(org.emodir.data.ClassSelection.parse(classes), skipBadImages));
        if (targetFlops != null && targetParams != null) {
            throw new IllegalArgumentException("give --target-flops or --target-params, not both");
        }
        if (targetFlops != null) b.targetFlops(targetFlops);
        if (targetParams != null) b.targetParams(targetParams);
        if (generations != null) b.generations(generations);
        if (population != null) b.population(population);
        if (calibPerClass != null) b.calibPerClass(calibPerClass);
        if (heldOutPerClass != null) b.heldOutPerClass(heldOutPerClass);
        if (selectionPerClass != null) b.selectionPerClass(selectionPerClass);
        if (featureStorage != null) b.featureStorage(org.emodir.features.FeatureStorage.parse(featureStorage));
        if (rescoreSchemes != null) b.rescoreSchemes(rescoreSchemes);
        if (bridgeTopK != null) b.bridgeTopK(bridgeTopK);
        if (frontCap != null) b.frontCap(frontCap);
        if (minChannels != null) b.minChannels(minChannels);
        if (subnetsPerStage != null) b.subnetsPerStage(subnetsPerStage);
        if (constraintSteps != null) b.constraintSteps(constraintSteps);
        if (constraintLambda != null) b.constraintLambda(constraintLambda);
        if (finetuneEpochs != null) b.finetuneEpochs(finetuneEpochs);
        if (finetuneLr != null) b.finetuneLr(finetuneLr);
        if (distillAlpha != null) b.distillAlpha(distillAlpha);
        if (batchSize != null) b.batchSize(batchSize);
        if (evalImages != null) b.evalImages(evalImages);
        if (baseline != null) {
            for (String x : baseline) {
                switch (x) {
                    case "whole-network" -> b.baselineWholeNetwork(true);
                    case "criteria" -> b.baselineCriteria(true);
                    default ->
                        throw new IllegalArgumentException("--baseline takes whole-network and/or criteria, got " + x);
                }
            }
        }
        if (baselineEvaluations != null) b.baselineEvaluations(baselineEvaluations);
        if (baselineCostRatio != null) b.baselineCostRatio(baselineCostRatio);
        if (baselineCalibPerClass != null) b.baselineCalibPerClass(baselineCalibPerClass);
        if (gpirAdaptiveBn != null) b.gpirAdaptiveBn(gpirAdaptiveBn);
        if (impairment != null) b.impairment(Checks.choice("--impairment", impairment, PruneConfig.Impairment.class));
        if (tradeoffStep != null) b.tradeoffStep(tradeoffStep);
        if (latency != null) b.latency(latency);
        if (normalization != null) b.normalization(org.emodir.data.Normalization.parse(normalization));
        if (threads != null) b.threads(threads);
        if (seed != null) b.seed(seed);
        if (spark != null) b.spark(spark);
        if (precision != null) {
            Precision p = switch (precision) {
                case "fp32" -> Precision.FP32;
                case "bf16" -> Precision.BF16;
                default -> throw usage("--precision must be fp32 or bf16, got '" + precision + "'");
            };
            b.precision(p);
        }
        return b.resume(resume).force(force);
    }

    /** A usage error (exit code 2) naming the option, like {@code eval}'s. */
    RuntimeException usage(String message) {
        if (commandSpec == null) return new IllegalArgumentException(message);
        return new CommandLine.ParameterException(commandSpec.commandLine(), message);
    }

    /** The shared pretrained weights of {@code arch}: models/cifar10/{arch}-*.safetensors. */
    static Path defaultWeights(String arch) throws java.io.IOException {
        Path dir = DataDirs.cifar10Models();
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(arch + "-")
                            && p.getFileName().toString().endsWith(".safetensors"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "no pretrained weights for " + arch + " in " + dir + "; pass --weights"));
        }
    }
}
