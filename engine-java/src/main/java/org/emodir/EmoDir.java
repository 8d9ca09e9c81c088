package org.emodir;

import java.io.IOException;
import java.nio.file.Path;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Normalization;
import org.emodir.data.Subsets;
import org.emodir.engine.PopulationEvaluators;
import org.emodir.eval.EvalResult;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Evaluator;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.TorchRuntime;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsLoader;
import org.emodir.pipeline.PruneConfig;
import org.emodir.pipeline.PruneJob;
import org.emodir.program.SubnetProgram;
import org.emodir.report.RunReport;
import org.emodir.run.ProgressListener;

/**
 * The embedding entry point: everything a host tool needs, as plain objects, without the CLI.
 *
 * <pre>{@code
 * RunReport r = EmoDir.prune(EmoDir.pruning().model("resnet56").targetFlops(0.5).out(Path.of("runs/x")).build(),
 *                            ProgressListener.SILENT);
 * Double top1 = r.top1PrunedFinetuned;   // report.json: top1_pruned_finetuned
 * }</pre>
 *
 * The population evaluator is usable on its own (see docs/evaluator.md): build a {@link SubnetProgram},
 * wrap inputs in {@link EvaluationData}, and call {@link #evaluator}.
 */
public final class EmoDir {
    private EmoDir() {}

    /** A dense architecture: resnet20/32/44/56/110, vgg16 (CIFAR) or resnet50. */
    public static NetSpec model(String arch, int numClasses) {
        return NetSpec.dense(arch, numClasses);
    }

    /** A safetensors or PyTorch zip state dict (format chosen from the file's first bytes). */
    public static StateDict loadWeights(Path file) throws IOException {
        return WeightsLoader.load(file);
    }

    /** A libtorch network with the given weights; close it to free native memory. */
    public static TorchNet loadModel(NetSpec spec, Path weights) throws IOException {
        TorchRuntime.init();
        return TorchNet.fromStateDict(spec, loadWeights(weights));
    }

    /** Top-1/top-5 on the first {@code perClass} images of every class (0: all images). */
    public static EvalResult evaluate(TorchNet net, ImageDataset data, int perClass) {
        TorchRuntime.init();
        DataLoader.Builder b = DataLoader.builder(data).batchSize(250).normalization(Normalization.IMAGENET);
        if (perClass > 0) b.subset(Subsets.firstPerClass(data, perClass));
        return new Evaluator(0, s -> {}).evaluate(net, b.build());
    }

    /** Settings for {@link #prune}, starting from the quick preset; {@link PruneConfig#paper()} is the full size. */
    public static PruneConfig.Builder pruning() {
        return PruneConfig.quick();
    }

    /** Runs the whole EMO-DIR pipeline (resumable through its run directory) and returns its report. */
    public static RunReport prune(PruneConfig config, ProgressListener progress) throws IOException {
        return new PruneJob(config, progress).run();
    }

    /** The fastest available population evaluator (CUDA when a device is present, else native CPU). */
    public static PopulationEvaluator evaluator(SubnetProgram program, EvaluationData data, int threads) {
        return PopulationEvaluators.best(program, data, threads);
    }
}
