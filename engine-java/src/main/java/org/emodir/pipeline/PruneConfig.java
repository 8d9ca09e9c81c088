package org.emodir.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.emodir.data.DataSelection;
import org.emodir.data.Normalization;
import org.emodir.engine.Precision;
import org.emodir.features.FeatureStorage;
import org.emodir.scheme.PruningTarget;

/**
 * Every setting of a {@link PruneJob}. Built with {@link #quick()} or {@link #paper()} and the fluent
 * setters; {@link Builder#build()} validates and names the offending field. The settings that change
 * results (everything but paths, threads and resume/force) are in {@link #resultSettings()}, which a
 * run directory records so a resumed run refuses a different configuration.
 */
public record PruneConfig(
        String model,
        Path weights,
        Path data,
        Path cacheDir,
        Path out,
        PruningTarget target,
        int population,
        int generations,
        int calibPerClass,
        int heldOutPerClass,
        int selectionPerClass,
        int frontCap,
        int minChannels,
        double minFraction,
        int subnetsPerStage,
        int constraintSteps,
        double constraintLambda,
        double constraintLr,
        double finetuneEpochs,
        double finetuneLr,
        double distillAlpha,
        int batchSize,
        int evalImages,
        boolean baselineWholeNetwork,
        boolean baselineCriteria,
        int baselineEvaluations,
        int baselineCalibPerClass,
        double baselineCostRatio,
        double tradeoffStep,
        boolean gpirAdaptiveBn,
        int rescoreSchemes,
        int bridgeTopK,
        Impairment impairment,
        Normalization normalization,
        boolean latency,
        int threads,
        String spark,
        long seed,
        boolean resume,
        boolean force,
        DataSelection dataSelection,
        FeatureStorage featureStorage,
        Precision precision) {

    public PruneConfig {
        if (precision == null) precision = Precision.FP32; // as before the setting existed
    }

    /** The settings before {@code precision} existed: the search evaluates in fp32. */
    public PruneConfig(
            String model,
            Path weights,
            Path data,
            Path cacheDir,
            Path out,
            PruningTarget target,
            int population,
            int generations,
            int calibPerClass,
            int heldOutPerClass,
            int selectionPerClass,
            int frontCap,
            int minChannels,
            double minFraction,
            int subnetsPerStage,
            int constraintSteps,
            double constraintLambda,
            double constraintLr,
            double finetuneEpochs,
            double finetuneLr,
            double distillAlpha,
            int batchSize,
            int evalImages,
            boolean baselineWholeNetwork,
            boolean baselineCriteria,
            int baselineEvaluations,
            int baselineCalibPerClass,
            double baselineCostRatio,
            double tradeoffStep,
            boolean gpirAdaptiveBn,
            int rescoreSchemes,
            int bridgeTopK,
            Impairment impairment,
            Normalization normalization,
            boolean latency,
            int threads,
            String spark,
            long seed,
            boolean resume,
            boolean force,
            DataSelection dataSelection,
            FeatureStorage featureStorage) {
        this(
                model,
                weights,
                data,
                cacheDir,
                out,
                target,
                population,
                generations,
                calibPerClass,
                heldOutPerClass,
                selectionPerClass,
                frontCap,
                minChannels,
                minFraction,
                subnetsPerStage,
                constraintSteps,
                constraintLambda,
                constraintLr,
                finetuneEpochs,
                finetuneLr,
                distillAlpha,
                batchSize,
                evalImages,
                baselineWholeNetwork,
                baselineCriteria,
                baselineEvaluations,
                baselineCalibPerClass,
                baselineCostRatio,
                tradeoffStep,
                gpirAdaptiveBn,
                rescoreSchemes,
                bridgeTopK,
                impairment,
                normalization,
                latency,
                threads,
                spark,
                seed,
                resume,
                force,
                dataSelection,
                featureStorage,
                Precision.FP32);
    }

    /** What a sub-network search minimises next to its FLOPs (issue 15: the paper's feature selector vs output MSE). */
    public enum Impairment {
        /** Output MSE against the dense sub-network, divided by the dense output's mean square. */
        MSE,
        /** Cross-entropy of the sub-network's feature selector ({@link org.emodir.search.FeatureSelector}). */
        SELECTOR,
        /**
         * Searches on MSE, also scores every front solution with the selector, and measures how well each predicts the
         * whole-network held-out CE among random masks of equal FLOPs (report {@code details.impairment_study}).
         */
        BOTH
    }

    /**
     * The quick preset: ResNet-20, 256 calibration + 500 held-out images, population 32 x 20 generations,
     * fronts capped at 16, 30 constraint steps per stage, 0.3 fine-tune epochs, 2000 test images. Finishes in minutes on 2 cores.
     */
    public static Builder quick() {
        return new Builder();
    }

    /** The full-size preset (hours): ResNet-56, 64 calibration images per class, 64 x 60 generations, 40 fine-tune epochs. */
    public static Builder paper() {
        Builder b = new Builder();
        b.model = "resnet56";
        b.calibPerClass = 64;
        b.heldOutPerClass = 50;
        b.selectionPerClass = 50;
        b.population = 64;
        b.generations = 60;
        b.frontCap = 32;
        b.constraintSteps = 500;
        b.finetuneEpochs = 40;
        b.finetuneLr = 0.01;
        b.distillAlpha = 0.5;
        b.evalImages = 0;
        return b;
    }

    /** The settings that determine the results, for the run directory's config check and the report. */
    public Map<String, Object> resultSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("weights", weights.getFileName().toString());
        m.put("target_kind", target.kind().name());
        m.put("target_fraction", target.fraction());
        m.put("population", population);
        m.put("generations", generations);
        m.put("calib_per_class", calibPerClass);
        m.put("held_out_per_class", heldOutPerClass);
        m.put("selection_per_class", selectionPerClass);
        m.put("front_cap", frontCap);
        m.put("min_channels", minChannels);
        m.put("min_fraction", minFraction);
        m.put("subnets_per_stage", subnetsPerStage);
        m.put("constraint_steps", constraintSteps);
        m.put("constraint_lambda", constraintLambda);
        m.put("constraint_lr", constraintLr);
        m.put("finetune_epochs", finetuneEpochs);
        m.put("finetune_lr", finetuneLr);
        m.put("distill_alpha", distillAlpha);
        m.put("batch_size", batchSize);
        m.put("eval_images", evalImages);
        m.put("baseline_whole_network", baselineWholeNetwork);
        m.put("baseline_criteria", baselineCriteria);
        m.put("baseline_evaluations", baselineEvaluations);
        m.put("baseline_calib_per_class", baselineCalibPerClass);
        m.put("baseline_cost_ratio", baselineCostRatio);
        m.put("tradeoff_step", tradeoffStep);
        m.put("gpir_adaptive_bn", gpirAdaptiveBn);
        m.put("rescore_schemes", rescoreSchemes);
        m.put("bridge_top_k", bridgeTopK);
        m.put("impairment", impairment.name().toLowerCase(java.util.Locale.ROOT));
        m.put("normalization", normalization == null ? "from the weights" : normalization.text());
        m.put("seed", seed);
        // only when set, so that run directories written before the option existed still resume
        if (!dataSelection.classes().all())
            m.put("classes", dataSelection.classes().source());
        if (dataSelection.skipBadImages()) m.put("skip_bad_images", true);
        if (featureStorage != FeatureStorage.FP32) m.put("feature_storage", featureStorage.label());
        // The search's fitness arithmetic changes its fronts, so it is a result setting; fp32 is left out like the
        // options above so that run directories written before it existed resume (the report shows it always).
        if (precision != null && precision != Precision.FP32) m.put("precision", precision.label());
        return m;
    }

    public static final class Builder {
        String model = "resnet20";
        Path weights;
        Path data;
        Path cacheDir;
        Path out;
        PruningTarget.Kind targetKind = PruningTarget.Kind.FLOPS;
        double targetFraction = 0.5;
        int population = 32;
        int generations = 20;
        int calibPerClass = 26;
        int heldOutPerClass = 50;
        int selectionPerClass = 25;
        int frontCap = 16;
        int minChannels = 4;
        double minFraction = 0.1;
        int subnetsPerStage = 1;
        int constraintSteps = 30;
        double constraintLambda = 1.0;
        double constraintLr = 0.01;
        double finetuneEpochs = 0.3;
        double finetuneLr = 0.01;
        double distillAlpha = 0.0;
        int batchSize = 128;
        int evalImages = 2000;
        boolean baselineWholeNetwork;
        boolean baselineCriteria;
        int baselineEvaluations;
        int baselineCalibPerClass;
        double baselineCostRatio;
        double tradeoffStep = 0.01;
        boolean gpirAdaptiveBn = true;
        int rescoreSchemes = 4;
        int bridgeTopK;
        Impairment impairment = Impairment.MSE;
        Normalization normalization;
        boolean latency = true;
        int threads = Runtime.getRuntime().availableProcessors();
        String spark;
        long seed = 1;
        boolean resume;
        boolean force;
        DataSelection dataSelection = DataSelection.ALL;
        FeatureStorage featureStorage = FeatureStorage.FP32;
        Precision precision = Precision.FP32;

        public Builder model(String v) {
            model = v;
            return this;
        }
        /** The model this builder currently holds (the preset's unless overridden). */
        public String currentModel() {
            return model;
        }

        public Builder weights(Path v) {
            weights = v;
            return this;
        }

        public Builder data(Path v) {
            data = v;
            return this;
        }

        /** ImageNet layouts: the classes read and whether bad images are skipped (default: all, none). */
        /** How the cached features are stored: float32, or bfloat16 at half the memory and disk. */
        public Builder featureStorage(FeatureStorage v) {
            featureStorage = java.util.Objects.requireNonNull(v, "featureStorage");
            return this;
        }

        /**
         * Conv arithmetic of the native evaluator that scores the sub-network searches' populations (and the
         * whole-network baseline's search, so both searches compare alike): fp32 (default) or bf16 (bf16 weights and
         * inputs, fp32 accumulation; 1.48-1.62x faster on ResNet-56 stages at keep 0.5 where the CPU has AVX512_BF16,
         * benchmarks/README-native.md). GPIR, scheme selection, the
         * trade-offs and every reported accuracy stay fp32. A result setting. With {@link #spark} the
         * executors evaluate at this precision too.
         */
        public Builder precision(Precision v) {
            precision = v;
            return this;
        }

        public Builder dataSelection(DataSelection v) {
            dataSelection = v;
            return this;
        }

        public Builder cacheDir(Path v) {
            cacheDir = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder targetFlops(double v) {
            targetKind = PruningTarget.Kind.FLOPS;
            targetFraction = v;
            return this;
        }

        public Builder targetParams(double v) {
            targetKind = PruningTarget.Kind.PARAMS;
            targetFraction = v;
            return this;
        }

        public Builder population(int v) {
            population = v;
            return this;
        }

        public Builder generations(int v) {
            generations = v;
            return this;
        }

        public Builder calibPerClass(int v) {
            calibPerClass = v;
            return this;
        }

        public Builder heldOutPerClass(int v) {
            heldOutPerClass = v;
            return this;
        }

        /** Images per class, disjoint from calibration and held-out, that choose the scheme and score trade-offs. */
        public Builder selectionPerClass(int v) {
            selectionPerClass = v;
            return this;
        }

        /**
         * How many of the best predicted joint schemes are measured as whole networks on the selection images; the best
         * measured one is applied (1 = apply the exact scheme as predicted).
         */
        public Builder rescoreSchemes(int v) {
            rescoreSchemes = v;
            return this;
        }

        /**
         * The paper's order (issue 15): constraint-train the {@code k} front solutions of every sub-network nearest the
         * first choice before GPIR ranks them (0 = rank untrained sub-networks, train the chosen scheme afterwards).
         */
        public Builder bridgeTopK(int v) {
            bridgeTopK = v;
            return this;
        }

        public Builder frontCap(int v) {
            frontCap = v;
            return this;
        }

        public Builder minChannels(int v) {
            minChannels = v;
            return this;
        }

        public Builder minFraction(double v) {
            minFraction = v;
            return this;
        }
        /** Sub-networks each stage is cut into, as runs of consecutive blocks (1 = stages, 2 = half-stages). */
        public Builder subnetsPerStage(int v) {
            subnetsPerStage = v;
            return this;
        }

        public Builder constraintSteps(int v) {
            constraintSteps = v;
            return this;
        }

        public Builder constraintLambda(double v) {
            constraintLambda = v;
            return this;
        }

        public Builder constraintLr(double v) {
            constraintLr = v;
            return this;
        }

        public Builder finetuneEpochs(double v) {
            finetuneEpochs = v;
            return this;
        }

        public Builder finetuneLr(double v) {
            finetuneLr = v;
            return this;
        }

        public Builder distillAlpha(double v) {
            distillAlpha = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder evalImages(int v) {
            evalImages = v;
            return this;
        }

        /** Also train global-BN-scale and random-channel networks at the same FLOPs like EMO-DIR's (issue 15). */
        public Builder baselineCriteria(boolean v) {
            baselineCriteria = v;
            return this;
        }

        public Builder baselineWholeNetwork(boolean v) {
            baselineWholeNetwork = v;
            return this;
        }

        public Builder baselineEvaluations(int v) {
            baselineEvaluations = v;
            return this;
        }
        /** Calibration images per class of the whole-network baseline's fitness (0: the same as EMO-DIR's). */
        public Builder baselineCalibPerClass(int v) {
            baselineCalibPerClass = v;
            return this;
        }
        /** Run the baseline until its forward FLOPs reach this multiple of the EMO-DIR search's (0: off). */
        public Builder baselineCostRatio(double v) {
            baselineCostRatio = v;
            return this;
        }
        /** Spacing of the targets of the whole-network trade-off curve (fraction of FLOPs or params removed). */
        public Builder tradeoffStep(double v) {
            tradeoffStep = v;
            return this;
        }
        /**
         * Recalibrate each pruned sub-network's BatchNorm statistics before measuring its GPIR, and every trade-off point's
         * (adaptive BN; default on: without it short fine-tunes favour the wrong architectures, see docs/pipeline.md).
         */
        public Builder gpirAdaptiveBn(boolean v) {
            gpirAdaptiveBn = v;
            return this;
        }

        /**
         * Pixel statistics the weights were trained with; null (default): the weights file's {@code __metadata__}
         * ({@link Normalization#MEAN_KEY}, {@link Normalization#STD_KEY}), else ImageNet's.
         */
        public Builder normalization(Normalization v) {
            normalization = v;
            return this;
        }

        /** Time the dense and the pruned model on this CPU after pruning (default on; see docs/export.md). */
        public Builder latency(boolean v) {
            latency = v;
            return this;
        }

        /** What each sub-network search minimises next to FLOPs; default MSE. */
        public Builder impairment(Impairment v) {
            impairment = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        /**
         * Evaluate the sub-network searches' populations on Apache Spark at this master URL (null: in this JVM). Not a
         * result setting: the fronts are the same bit for bit.
         */
        public Builder spark(String v) {
            spark = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        public Builder force(boolean v) {
            force = v;
            return this;
        }

        public PruneConfig build() {
            require(model != null && !model.isBlank(), "model", "must be set");
            require(weights != null, "weights", "must be set (a .safetensors or .pt state_dict)");
            require(data != null, "data", "must be set (a CIFAR-10 ImageFolder with train/ and test/)");
            require(out != null, "out", "must be set (the run directory)");
            require(targetFraction > 0 && targetFraction < 1, "target", "must be in (0, 1), got " + targetFraction);
            PruningTarget target = new PruningTarget(targetKind, targetFraction);
            require(population >= 4 && population % 2 == 0, "population", "must be even and >= 4, got " + population);
            require(generations >= 1, "generations", "must be >= 1, got " + generations);
            require(calibPerClass >= 1, "calibPerClass", "must be >= 1, got " + calibPerClass);
            require(heldOutPerClass >= 1, "heldOutPerClass", "must be >= 1, got " + heldOutPerClass);
            require(
                    selectionPerClass >= 0,
                    "selectionPerClass",
                    "must be >= 0 (0 = the held-out images also select), got " + selectionPerClass);
            require(rescoreSchemes >= 1, "rescoreSchemes", "must be >= 1 (1 = no re-measuring), got " + rescoreSchemes);
            require(
                    bridgeTopK >= 0,
                    "bridgeTopK",
                    "must be >= 0 (0 = GPIR on untrained sub-networks), got " + bridgeTopK);
            require(
                    bridgeTopK == 0 || constraintSteps > 0,
                    "bridgeTopK",
                    "trains candidates with the constraint steps; it needs constraintSteps > 0");
            require(frontCap >= 1, "frontCap", "must be >= 1, got " + frontCap);
            require(minChannels >= 1, "minChannels", "must be >= 1, got " + minChannels);
            require(minFraction >= 0 && minFraction < 1, "minFraction", "must be in [0, 1), got " + minFraction);
            require(
                    subnetsPerStage >= 1,
                    "subnetsPerStage",
                    "must be >= 1 (1 = one sub-network per stage), got " + subnetsPerStage);
            require(constraintSteps >= 0, "constraintSteps", "must be >= 0, got " + constraintSteps);
            require(constraintLambda >= 0, "constraintLambda", "must be >= 0, got " + constraintLambda);
            require(constraintLr > 0, "constraintLr", "must be > 0, got " + constraintLr);
            require(finetuneEpochs >= 0, "finetuneEpochs", "must be >= 0, got " + finetuneEpochs);
            require(finetuneLr > 0, "finetuneLr", "must be > 0, got " + finetuneLr);
            require(distillAlpha >= 0 && distillAlpha <= 1, "distillAlpha", "must be in [0, 1], got " + distillAlpha);
            require(batchSize >= 1, "batchSize", "must be >= 1, got " + batchSize);
            require(evalImages >= 0, "evalImages", "must be >= 0 (0 = the whole test split), got " + evalImages);
            require(
                    baselineEvaluations >= 0,
                    "baselineEvaluations",
                    "must be >= 0 (0 = the EMO-DIR budget), got " + baselineEvaluations);
            require(
                    baselineCalibPerClass >= 0,
                    "baselineCalibPerClass",
                    "must be >= 0 (0 = calibPerClass), got " + baselineCalibPerClass);
            require(
                    baselineCostRatio >= 0 && Double.isFinite(baselineCostRatio),
                    "baselineCostRatio",
                    "must be >= 0 (0 = off), got " + baselineCostRatio);
            require(
                    baselineCostRatio == 0 || baselineWholeNetwork,
                    "baselineCostRatio",
                    "sets the whole-network baseline's budget; it needs baselineWholeNetwork (--baseline whole-network)");
            require(
                    baselineCostRatio == 0 || baselineEvaluations == 0,
                    "baselineCostRatio",
                    "and baselineEvaluations set the same budget; give one of them");
            require(
                    tradeoffStep > 0 && tradeoffStep <= 0.5,
                    "tradeoffStep",
                    "must be in (0, 0.5], got " + tradeoffStep);
            require(threads >= 1, "threads", "must be >= 1, got " + threads);
            require(
                    spark == null || !spark.isBlank(),
                    "spark",
                    "must be a master URL, e.g. local[*] or spark://host:7077");
            require(impairment != null, "impairment", "must be mse, selector or both");
            require(precision != null, "precision", "must be fp32 or bf16");
            require(dataSelection != null, "dataSelection", "must be set (DataSelection.ALL for everything)");
            return new PruneConfig(
                    model,
                    weights,
                    data,
                    cacheDir,
                    out,
                    target,
                    population,
                    generations,
                    calibPerClass,
                    heldOutPerClass,
                    selectionPerClass,
                    frontCap,
                    minChannels,
                    minFraction,
                    subnetsPerStage,
                    constraintSteps,
                    constraintLambda,
                    constraintLr,
                    finetuneEpochs,
                    finetuneLr,
                    distillAlpha,
                    batchSize,
                    evalImages,
                    baselineWholeNetwork,
                    baselineCriteria,
                    baselineEvaluations,
                    baselineCalibPerClass == 0 ? calibPerClass : baselineCalibPerClass,
                    baselineCostRatio,
                    tradeoffStep,
                    gpirAdaptiveBn,
                    rescoreSchemes,
                    bridgeTopK,
                    impairment,
                    normalization,
                    latency,
                    threads,
                    spark,
                    seed,
                    resume,
                    force,
                    dataSelection,
                    featureStorage,
                    precision);
        }

        private static void require(boolean ok, String field, String message) {
            if (!ok) throw new IllegalArgumentException("prune config: " + field + " " + message);
        }
    }
}
