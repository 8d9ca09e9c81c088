package org.emodir.train;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.Batches;
import org.emodir.model.TorchNet;

/**
 * Supervised training on CPU libtorch autograd: SGD (momentum, weight decay, Nesterov), an epoch learning
 * rate schedule, optional label smoothing, optional knowledge distillation, an optional extra loss term
 * and an optional subset of trainable tensors (the rest are frozen for the run).
 */
public final class Trainer {
    /** Extra loss added to the task loss, e.g. {@code lambda * MSE(stage feature, teacher feature)}. */
    @FunctionalInterface
    public interface ExtraLoss {
        Tensor term(TorchNet.Trace student, Tensor images, LabeledBatch batch);
    }

    /** Called after every epoch. */
    @FunctionalInterface
    public interface EpochCallback {
        void onEpoch(EpochStats stats);
    }

    /** Summary of one epoch: mean training loss (including extra terms), its learning rate and throughput. */
    public record EpochStats(int epoch, double meanLoss, double lr, long images, double seconds) {}

    /** Training settings; fluent setters, defaults = the usual CIFAR ResNet recipe. */
    public static final class Config {
        int epochs = 1;
        LrSchedule schedule = LrSchedule.cosine(0.1);
        double momentum = 0.9;
        double weightDecay = 5e-4;
        boolean nesterov;
        double labelSmoothing;
        TorchNet teacher;
        double kdTemperature = 4;
        double kdAlpha = 0.9;
        List<Tensor> trainable;
        int onlyStage = -1;
        ExtraLoss extraLoss;
        EpochCallback onEpoch = s -> {};
        int progressEvery = 50;
        Consumer<String> log = System.out::println;

        public Config epochs(int v) {
            epochs = v;
            return this;
        }

        public Config schedule(LrSchedule v) {
            schedule = v;
            return this;
        }

        public Config momentum(double v) {
            momentum = v;
            return this;
        }

        public Config weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Config nesterov(boolean v) {
            nesterov = v;
            return this;
        }

        public Config labelSmoothing(double v) {
            labelSmoothing = v;
            return this;
        }
        /** Distil from {@code t}: loss = (1-alpha)*task + alpha*T^2*KL(teacher_T || student_T). */
        public Config distill(TorchNet t, double temperature, double alpha) {
            teacher = t;
            kdTemperature = temperature;
            kdAlpha = alpha;
            return this;
        }
        /** Only these tensors are updated; the net's other parameters get no gradient during the run. */
        public Config trainable(List<Tensor> v) {
            trainable = v;
            return this;
        }
        /**
         * Trains stage {@code s} alone: only its parameters are updated and only its BN layers run in train
         * mode, so the rest of the net (BN running statistics included) is left exactly as it was.
         */
        public Config onlyStage(int s) {
            onlyStage = s;
            return this;
        }

        public Config extraLoss(ExtraLoss v) {
            extraLoss = v;
            return this;
        }

        public Config onEpoch(EpochCallback v) {
            onEpoch = v;
            return this;
        }
        /** Progress line every {@code n} batches (0: none). */
        public Config progress(int n, Consumer<String> sink) {
            progressEvery = n;
            log = sink;
            return this;
        }
    }

    private static final long REDUCTION_MEAN = 1;
    private static final long REDUCTION_SUM = 2;
    private static final long IGNORE_INDEX = -100;

    private final Config cfg;

    public Trainer(Config cfg) {
        if (cfg.epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + cfg.epochs);
        this.cfg = cfg;
    }

    public List<EpochStats> train(TorchNet net, Iterable<LabeledBatch> data) {
        return train(net, data, e -> {});
    }

    /** Trains {@code cfg.epochs} epochs; {@code setEpoch} is told each epoch first (e.g. to reshuffle the loader). */
    public List<EpochStats> train(TorchNet net, Iterable<LabeledBatch> data, IntConsumer setEpoch) {
        if (cfg.onlyStage >= 0 && cfg.trainable != null) {
            throw new IllegalArgumentException("set either onlyStage or trainable, not both");
        }
        List<Tensor> all = net.parameters();
        List<Tensor> trainable =
                cfg.onlyStage >= 0 ? net.stageParameters(cfg.onlyStage) : cfg.trainable == null ? all : cfg.trainable;
        Set<Tensor> frozen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Identified by storage address: callers may hold other Java wrappers of the same tensors.
        Set<Long> trainableAddresses = new java.util.HashSet<>();
        for (Tensor t : trainable) trainableAddresses.add(t.data_ptr().address());
        for (Tensor p : all) {
            if (!trainableAddresses.contains(p.data_ptr().address())) {
                p.set_requires_grad(false);
                frozen.add(p);
            }
        }
        boolean[] modes = net.modes();
        if (cfg.onlyStage >= 0) {
            net.trainOnlyStage(cfg.onlyStage);
        } else {
            net.train(true);
        }
        List<EpochStats> history = new java.util.ArrayList<>();
        long lastEpochBatches = -1;
        try (Sgd sgd = new Sgd(trainable, cfg.momentum, cfg.weightDecay, cfg.nesterov)) {
            for (int epoch = 0; epoch < cfg.epochs; epoch++) {
                setEpoch.accept(epoch);
                double lr = cfg.schedule.lr(epoch, cfg.epochs);
                long start = System.nanoTime();
                long images = 0;
                long batches = 0;
                double lossSum = 0;
                for (LabeledBatch b : data) {
                    double loss;
                    sgd.zeroGrad();
                    loss = MicroBatches.backward(b, part -> loss(net, part));
                    sgd.step(lr);
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException(
                                "training loss became " + loss + " in epoch " + epoch + " batch " + batches);
                    }
                    lossSum += loss * b.n();
                    images += b.n();
                    batches++;
                    if (cfg.progressEvery > 0 && batches % cfg.progressEvery == 0) {
                        double s = (System.nanoTime() - start) / 1e9;
                        String eta = lastEpochBatches > 0
                                ? String.format(
                                        ", ETA %.0f s",
                                        s / batches * ((cfg.epochs - epoch) * lastEpochBatches - batches))
                                : "";
                        cfg.log.accept(String.format(
                                "epoch %d batch %d loss %.4f lr %.5f %.0f img/s%s",
                                epoch, batches, lossSum / images, lr, images / s, eta));
                    }
                }
                if (images == 0) throw new IllegalArgumentException("training data set is empty");
                lastEpochBatches = batches;
                EpochStats st = new EpochStats(epoch, lossSum / images, lr, images, (System.nanoTime() - start) / 1e9);
                history.add(st);
                cfg.onEpoch.onEpoch(st);
            }
        } finally {
            for (Tensor p : frozen) p.set_requires_grad(true);
            net.restoreModes(modes);
        }
        return history;
    }

    private Tensor loss(TorchNet net, LabeledBatch b) {
        Tensor x = Batches.images(b);
        Tensor y = Batches.labels(b);
        TorchNet.Trace trace = cfg.extraLoss != null ? net.trace(x) : null;
        Tensor logits = trace != null ? trace.logits() : net.forward(x);
        Tensor loss = torch.cross_entropy_loss(
                logits, y, new TensorOptional(), REDUCTION_MEAN, IGNORE_INDEX, cfg.labelSmoothing);
        if (cfg.teacher != null) {
            Tensor teacherLogits;
            boolean[] teacherModes = cfg.teacher.modes();
            try (NoGradGuard noGrad = new NoGradGuard()) {
                teacherLogits = cfg.teacher.train(false).forwardFreeing(x);
            } finally {
                cfg.teacher.restoreModes(teacherModes);
            }
            double t = cfg.kdTemperature;
            Tensor kd = torch.kl_div(
                            torch.log_softmax(logits.div(new Scalar(t)), 1),
                            torch.log_softmax(teacherLogits.div(new Scalar(t)), 1),
                            REDUCTION_SUM,
                            true)
                    .mul(new Scalar(t * t / b.n()));
            loss = loss.mul(new Scalar(1 - cfg.kdAlpha)).add(kd.mul(new Scalar(cfg.kdAlpha)));
        }
        if (cfg.extraLoss != null) loss = loss.add(cfg.extraLoss.term(trace, x, b));
        return loss;
    }
}
