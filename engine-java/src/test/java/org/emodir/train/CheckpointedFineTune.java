package org.emodir.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.emodir.data.Augmentation;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;

/**
 * A tiny fine-tune of ResNet-20 pruned to half its FLOPs: 40 CIFAR-10 training images (4 per class), batches of
 * 10 with CIFAR augmentation, {@value #STEPS} SGD steps on one libtorch thread, checkpointed every
 * {@value #CHECKPOINT_EVERY} steps. {@link #main} is the child JVM of {@link FineTuneKillResumeTest}: it
 * resumes from the checkpoint when one exists, prints every progress line, reads one byte of stdin after each
 * {@code fine-tune step} line (the parent paces it; at EOF it runs freely), and at the end writes the final
 * weights and the per-step losses ({@value #LOSSES}) to the result file and prints {@code done}.
 */
final class CheckpointedFineTune {
    static final int STEPS = 16, CHECKPOINT_EVERY = 2, BATCH = 10, PER_CLASS = 4;
    static final long SEED = 20261125L;
    static final String NO_CHECKPOINT = "none";
    /** The per-step losses in the result file, beside the weights. */
    static final String LOSSES = "fine_tune_step_losses";

    private CheckpointedFineTune() {}

    /** Args: checkpoint file ({@value #NO_CHECKPOINT} for an uninterrupted run without one), result file. */
    public static void main(String[] args) throws IOException {
        Path checkpoint = args[0].equals(NO_CHECKPOINT) ? null : Path.of(args[0]), result = Path.of(args[1]);
        PrintStream out = System.out;
        FineTuneResult r = run(checkpoint, line -> {
            out.println(line);
            out.flush();
            if (line.startsWith("fine-tune step ")) awaitGo();
        });
        StateDict saved = new StateDict();
        for (String name : r.weights().names()) saved.put(r.weights().get(name));
        saved.put(new NamedTensor(LOSSES, new long[] {r.stepLosses().length}, r.stepLosses()));
        SafeTensors.write(result, saved, Map.of("content", "fine-tune result"));
        out.println("done");
        out.flush();
    }

    private static void awaitGo() {
        try {
            System.in.read(); // -1 at EOF: no more pacing
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FineTuner.Config config(ImageDataset train, Path checkpoint) {
        int perEpoch = PER_CLASS * train.numClasses() / BATCH;
        FineTuner.Config cfg = new FineTuner.Config()
                .subset(Subsets.firstPerClass(train, PER_CLASS))
                .batchSize(BATCH)
                .augmentation(Augmentation.CIFAR)
                .lr(0.02)
                .seed(SEED)
                .threads(1)
                .epochs((double) STEPS / perEpoch)
                .progressEvery(1);
        return checkpoint == null ? cfg : cfg.checkpoint(checkpoint, CHECKPOINT_EVERY);
    }

    /** Runs (or resumes, with a checkpoint) the fine-tune to its end. */
    static FineTuneResult run(Path checkpoint, Consumer<String> progress) {
        ImageDataset train = SharedFixtures.cifar("train");
        PrunedModel model = UniformBaseline.atFlops(TrainFixtures.RESNET20, TrainFixtures.resnet20Weights(), 0.5);
        return new FineTuner().finetune(model, null, train, config(train, checkpoint), progress);
    }
}
