package org.emodir.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.data.Augmentation;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.LabeledBatch;
import org.emodir.data.Subsets;
import org.emodir.eval.Batches;
import org.emodir.eval.EvalResult;
import org.emodir.eval.Evaluator;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.WeightsException;

/**
 * Fine-tunes a pruned network on the whole of it (all parameters, BN in train mode) with SGD, optional
 * distillation from a teacher, fractional epochs and resumable checkpoints.
 */
public final class FineTuner {
    /** Steps averaged into {@link FineTuneResult#finalTrainLoss()}: one batch is too noisy to compare runs. */
    public static final int FINAL_LOSS_WINDOW = 20;

    private static final long REDUCTION_MEAN = 1;
    private static final long REDUCTION_SUM = 2;
    private static final long IGNORE_INDEX = -100;

    /**
     * Defaults suit fine-tuning pretrained CIFAR nets on CPU: lr 0.01 (10x below from-scratch training, the weights are
     * already good) with per-step cosine decay, momentum 0.9, weight decay 5e-4, batch 64, one epoch, CIFAR augmentation.
     */
    public static final class Config {
        double epochs = 1;
        int batchSize = 64;
        double lr = 0.01;
        boolean cosine = true;
        double weightDecay = 5e-4;
        double momentum = 0.9;
        boolean nesterov;
        double distillAlpha;
        double temperature = 4;
        long seed;
        int threads;
        Path checkpoint;
        int checkpointEvery = 50;
        int progressEvery = 50;
        Augmentation augmentation = Augmentation.CIFAR;
        int[] subset;

        /** Fractional epochs allowed: the run stops after ceil(epochs * batches per epoch) steps. */
        public Config epochs(double v) {
            if (!(v > 0)) throw new IllegalArgumentException("epochs must be > 0, got " + v);
            epochs = v;
            return this;
        }

        public Config batchSize(int v) {
            if (v < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + v);
            batchSize = v;
            return this;
        }

        public Config lr(double v) {
            lr = v;
            return this;
        }
        /** Cosine decay of the lr to 0 over the run's steps; off = constant lr. */
        public Config cosine(boolean v) {
            cosine = v;
            return this;
        }

        public Config weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Config momentum(double v) {
            momentum = v;
            return this;
        }

        public Config nesterov(boolean v) {
            nesterov = v;
            return this;
        }
        /** Loss = (1-alpha)*CE + alpha*T^2*KL(teacher_T || student_T); 0 = no distillation (the teacher is ignored). */
        public Config distillAlpha(double v) {
            if (v < 0 || v > 1) throw new IllegalArgumentException("distillAlpha must be in [0, 1]");
            distillAlpha = v;
            return this;
        }

        public Config temperature(double v) {
            if (!(v > 0)) throw new IllegalArgumentException("temperature must be > 0");
            temperature = v;
            return this;
        }

        public Config seed(long v) {
            seed = v;
            return this;
        }
        /** libtorch intra-op threads for the run (0 = leave as is); 1 makes runs bit-reproducible. */
        public Config threads(int v) {
            threads = v;
            return this;
        }
        /** Resumable state file, written atomically every {@code every} steps and at the end; null = off. */
        public Config checkpoint(Path file, int every) {
            if (every < 1) throw new IllegalArgumentException("checkpoint interval must be >= 1");
            checkpoint = file;
            checkpointEvery = every;
            return this;
        }

        public Config checkpoint(Path file) {
            checkpoint = file;
            return this;
        }
        /** A progress line every {@code n} steps (0 = none). */
        public Config progressEvery(int v) {
            progressEvery = v;
            return this;
        }

        public Config augmentation(Augmentation v) {
            augmentation = Objects.requireNonNull(v);
            return this;
        }
        /** Train on these dataset indices only (see {@link Subsets}); null = the whole dataset. */
        public Config subset(int[] indices) {
            subset = indices == null ? null : indices.clone();
            return this;
        }

        /** Identifies the run a checkpoint belongs to (24 bits, see {@link FineTuneCheckpoint}). */
        int fingerprint(int datasetSize) {
            return Objects.hash(
                            epochs,
                            batchSize,
                            lr,
                            cosine,
                            weightDecay,
                            momentum,
                            nesterov,
                            distillAlpha,
                            temperature,
                            seed,
                            augmentation,
                            datasetSize,
                            java.util.Arrays.hashCode(subset))
                    & FineTuneCheckpoint.FINGERPRINT_MASK;
        }
    }

    public FineTuneResult finetune(
            PrunedModel model, TorchNet teacherOrNull, ImageDataset train, Config cfg, Consumer<String> progress) {
        if (cfg.distillAlpha > 0 && teacherOrNull == null)
            throw new IllegalArgumentException("distillAlpha > 0 needs a teacher");
        TorchNet teacher = cfg.distillAlpha > 0 ? teacherOrNull : null;
        int previousThreads = torch.get_num_threads();
        if (cfg.threads > 0) torch.set_num_threads(cfg.threads);
        try {
            return run(model, teacher, train, cfg, progress);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("fine-tune checkpoint " + cfg.checkpoint, e);
        } finally {
            if (cfg.threads > 0) torch.set_num_threads(previousThreads);
        }
    }

    private FineTuneResult run(
            PrunedModel model, TorchNet teacher, ImageDataset train, Config cfg, Consumer<String> progress)
            throws IOException {
        int images = cfg.subset != null ? cfg.subset.length : train.size();
        DataLoader loader = DataLoader.builder(train)
                .subset(cfg.subset)
                .batchSize(cfg.batchSize)
                .shuffle(true)
                .dropLast(images >= cfg.batchSize)
                .augmentation(cfg.augmentation)
                .seed(cfg.seed)
                .build();
        int perEpoch = loader.batchesPerEpoch();
        int total = (int) Math.ceil(cfg.epochs * perEpoch - 1e-9);
        int fingerprint = cfg.fingerprint(train.size());
        FineTuneCheckpoint resume = cfg.checkpoint != null && FineTuneCheckpoint.exists(cfg.checkpoint)
                ? FineTuneCheckpoint.load(cfg.checkpoint)
                : null;
        if (resume != null && (resume.totalSteps() != total || resume.fingerprint() != fingerprint)) {
            throw new WeightsException(cfg.checkpoint + ": checkpoint of another run (" + resume.totalSteps()
                    + " steps, fingerprint " + resume.fingerprint() + "; this run: " + total + " steps, fingerprint "
                    + fingerprint + "); delete it to start over");
        }
        float[] losses = resume != null ? resume.losses() : new float[total];
        int step = resume != null ? resume.step() : 0;
        long start = System.nanoTime();
        TorchNet net;
        if (resume == null) {
            net = model.toTorchNet();
        } else {
            try {
                net = TorchNet.fromStateDict(model.spec(), resume.net());
            } catch (WeightsException e) {
                throw new WeightsException(
                        cfg.checkpoint + ": checkpoint does not fit " + model.spec() + ": " + e.getMessage());
            }
        }
        boolean[] teacherModes = teacher != null ? teacher.modes() : null;
        try (net;
                Sgd sgd = new Sgd(net.parameters(), cfg.momentum, cfg.weightDecay, cfg.nesterov)) {
            if (resume != null) {
                sgd.restoreMomentum(resume.momentum());
                progress.accept(
                        String.format("resumed fine-tuning at step %d of %d from %s", step, total, cfg.checkpoint));
            }
            if (teacher != null) teacher.train(false);
            net.train(true);
            while (step < total) {
                loader.setEpoch(step / perEpoch);
                Iterator<LabeledBatch> it = loader.iterator();
                for (int skip = step % perEpoch; skip > 0; skip--) it.next(); // same batches as an uninterrupted run
                while (it.hasNext() && step < total) {
                    LabeledBatch b = it.next();
                    double lr = cfg.cosine ? CosineSteps.lr(cfg.lr, step, total) : cfg.lr;
                    float loss;
                    sgd.zeroGrad();
                    loss = (float) MicroBatches.backward(b, part -> loss(net, teacher, part, cfg));
                    sgd.step(lr);
                    if (!Float.isFinite(loss))
                        throw new IllegalStateException("fine-tuning loss became " + loss + " at step " + step);
                    losses[step++] = loss;
                    if (cfg.checkpoint != null && (step % cfg.checkpointEvery == 0 || step == total)) {
                        new FineTuneCheckpoint(net.toStateDict(), sgd.momentumState(), step, total, fingerprint, losses)
                                .save(cfg.checkpoint);
                    }
                    if (cfg.progressEvery > 0 && (step % cfg.progressEvery == 0 || step == total)) {
                        progress.accept(String.format(
                                "fine-tune step %d/%d (epoch %.3f) loss %.4f lr %.5f %.1f s",
                                step,
                                total,
                                (double) step / perEpoch,
                                finalLoss(losses, step),
                                lr,
                                (System.nanoTime() - start) / 1e9));
                    }
                }
            }
            net.train(false);
            return new FineTuneResult(
                    net.toStateDict(),
                    (double) total / perEpoch,
                    total,
                    (System.nanoTime() - start) / 1e9,
                    finalLoss(losses, total),
                    losses.clone());
        } finally {
            if (teacher != null) teacher.restoreModes(teacherModes);
        }
    }

    private static double finalLoss(float[] losses, int upTo) {
        int from = Math.max(0, upTo - FINAL_LOSS_WINDOW);
        double s = 0;
        for (int i = from; i < upTo; i++) s += losses[i];
        return upTo > from ? s / (upTo - from) : Double.NaN;
    }

    private static Tensor loss(TorchNet net, TorchNet teacher, LabeledBatch b, Config cfg) {
        Tensor x = Batches.images(b);
        Tensor logits = net.forward(x);
        Tensor ce = torch.cross_entropy_loss(
                logits, Batches.labels(b), new TensorOptional(), REDUCTION_MEAN, IGNORE_INDEX, 0.0);
        if (teacher == null) return ce;
        Tensor teacherLogits;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            teacherLogits = teacher.forwardFreeing(x);
        }
        double t = cfg.temperature;
        Tensor kd = torch.kl_div(
                        torch.log_softmax(logits.div(new Scalar(t)), 1),
                        torch.log_softmax(teacherLogits.div(new Scalar(t)), 1),
                        REDUCTION_SUM,
                        true)
                .mul(new Scalar(t * t / b.n()));
        return ce.mul(new Scalar(1 - cfg.distillAlpha)).add(kd.mul(new Scalar(cfg.distillAlpha)));
    }

    /**
     * Top-1/top-5 of {@code model} on {@code test}; with {@code maxImages > 0} on the first
     * {@code maxImages / classes} images of every class, so the subset is balanced and the same every time.
     */
    public EvalResult evaluate(PrunedModel model, ImageDataset test, int maxImages, int batchSize) {
        int[] subset = maxImages > 0 && maxImages < test.size()
                ? Subsets.firstPerClass(test, Math.max(1, maxImages / test.numClasses()))
                : Subsets.all(test);
        DataLoader loader =
                DataLoader.builder(test).subset(subset).batchSize(batchSize).build();
        try (TorchNet net = model.toTorchNet()) {
            return new Evaluator().evaluate(net, loader);
        }
    }
}
