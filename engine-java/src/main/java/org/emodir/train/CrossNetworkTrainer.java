package org.emodir.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.data.Augmentation;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.LabeledBatch;
import org.emodir.eval.Batches;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;

/**
 * Sub-network training with cross-network constraints (EMO-DIR): sub-network by sub-network (by default one per
 * stage; {@link Config#subnets} for finer splits), in forward order, only sub-network {@code k} (global blocks
 * {@code [from, to)}) of the pruned net is trained, on the features the already trained pruned sub-networks before
 * it produce, with
 * <pre>  loss = lambdaTask * CE(dense.forwardFromBlock(to, out_k) / T, labels)
 *        + lambdaFeature * MSE(out_k, t_k) / mean(t_k^2),   t_k = dense output of k</pre>
 * so the sub-network both reproduces the teacher's features (feature constraint) and keeps serving the dense
 * downstream network (task constraint). Cuts lie between blocks, whose outputs are residual-tied, so pruned and dense
 * widths agree. The rest of the pruned net and the whole teacher are frozen: no parameter update and BN in eval mode
 * (running statistics unchanged).
 */
public final class CrossNetworkTrainer {
    private static final long REDUCTION_MEAN = 1;
    private static final long IGNORE_INDEX = -100;

    /**
     * Defaults: 100 steps per stage of batch 64 (cheap on CPU: a pruned stage starts from the L1-selected dense
     * filters, so it only has to adapt, not learn); lr 0.01 with per-step cosine decay, momentum 0.9, weight decay
     * 5e-4 (fine-tuning values for pretrained weights); both loss weights 1; temperature 1 (plain CE).
     */
    public static final class Config {
        int stepsPerStage = 100;
        double epochsPerStage;
        int batchSize = 64;
        double lr = 0.01;
        double momentum = 0.9;
        double weightDecay = 5e-4;
        double lambdaFeature = 1.0;
        double lambdaTask = 1.0;
        double temperature = 1.0;
        long seed;
        int progressEvery = 25;
        List<int[]> subnets;
        java.util.Map<Integer, int[]> keptAtCut = java.util.Map.of();
        Augmentation augmentation = Augmentation.CIFAR;

        public Config steps(int v) {
            if (v < 1) throw new IllegalArgumentException("steps must be >= 1, got " + v);
            stepsPerStage = v;
            epochsPerStage = 0;
            return this;
        }
        /** Steps per stage = ceil(epochs * batches per epoch) of the loader; overrides {@link #steps}. */
        public Config epochs(double v) {
            if (!(v > 0)) throw new IllegalArgumentException("epochs must be > 0, got " + v);
            epochsPerStage = v;
            return this;
        }
        /** Used when the trainer builds its own loader ({@link #train(TorchNet, PrunedModel, ImageDataset, Config, Consumer)}). */
        public Config batchSize(int v) {
            if (v < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + v);
            batchSize = v;
            return this;
        }

        public Config lr(double v) {
            lr = v;
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

        public Config lambdaFeature(double v) {
            lambdaFeature = v;
            return this;
        }

        public Config lambdaTask(double v) {
            lambdaTask = v;
            return this;
        }
        /** Divides the downstream logits before the task CE; 1 = plain cross-entropy. */
        public Config temperature(double v) {
            if (!(v > 0)) throw new IllegalArgumentException("temperature must be > 0");
            temperature = v;
            return this;
        }

        public Config seed(long v) {
            seed = v;
            return this;
        }
        /** Training augmentation of the loader the trainer builds itself (default: CIFAR crop + flip). */
        public Config augmentation(Augmentation v) {
            augmentation = java.util.Objects.requireNonNull(v);
            return this;
        }
        /**
         * The sub-networks to train, in forward order, as global block ranges {@code {from, to}} with their names;
         * default: one per stage. Steps are per sub-network.
         */
        public Config subnets(List<int[]> ranges) {
            for (int[] r : ranges)
                if (r.length != 2 || r[1] <= r[0])
                    throw new IllegalArgumentException("block range must be {from, to} with to > from");
            subnets = List.copyOf(ranges);
            return this;
        }
        /**
         * For cuts whose channels are pruned (VGG: the last conv of a sub-network is prunable), the dense indices of the
         * channels the pruned net keeps there, keyed by the cut (the block range's {@code to}). The pruned output is
         * zero-filled to the teacher's width at those indices, for the feature MSE and for the teacher's downstream
         * blocks, exactly as the search measured it.
         */
        public Config keptAtCut(java.util.Map<Integer, int[]> kept) {
            keptAtCut = java.util.Map.copyOf(kept);
            return this;
        }
        /** A progress line every {@code n} steps (0: only one line per stage). */
        public Config progressEvery(int v) {
            progressEvery = v;
            return this;
        }

        public int stepsPerStage() {
            return stepsPerStage;
        }

        public double lambdaFeature() {
            return lambdaFeature;
        }

        public double lambdaTask() {
            return lambdaTask;
        }
    }

    /** Builds a shuffled, CIFAR-augmented loader of {@code cfg.batchSize} over {@code train} and trains on it. */
    public StateDict train(
            TorchNet denseTeacher, PrunedModel pruned, ImageDataset train, Config cfg, Consumer<String> progress) {
        DataLoader loader = DataLoader.builder(train)
                .batchSize(cfg.batchSize)
                .shuffle(true)
                .dropLast(train.size() >= cfg.batchSize)
                .augmentation(cfg.augmentation)
                .seed(cfg.seed)
                .build();
        return train(denseTeacher, pruned, loader, cfg, progress);
    }

    /** Trains every stage in order on batches of {@code train} (its own batch size); returns the pruned net's weights. */
    public StateDict train(
            TorchNet denseTeacher, PrunedModel pruned, DataLoader train, Config cfg, Consumer<String> progress) {
        if (!denseTeacher.spec().arch().equals(pruned.spec().arch())
                || denseTeacher.spec().numClasses() != pruned.spec().numClasses()) {
            throw new IllegalArgumentException(
                    "teacher " + denseTeacher.spec() + " and pruned " + pruned.spec() + " differ in architecture");
        }
        List<int[]> ranges = cfg.subnets;
        if (ranges == null) {
            ranges = new ArrayList<>();
            for (int s = 0; s < pruned.spec().numStages(); s++)
                ranges.add(new int[] {pruned.spec().stageStart(s), pruned.spec().stageStart(s + 1)});
        }
        for (int[] r : ranges) {
            if (r[1] > pruned.spec().numBlocks()) {
                throw new IllegalArgumentException("block range [" + r[0] + ", " + r[1] + ") beyond the "
                        + pruned.spec().numBlocks() + " blocks of " + pruned.spec());
            }
            int mine = pruned.spec().blockOutChannels(r[1] - 1);
            int theirs = denseTeacher.spec().blockOutChannels(r[1] - 1);
            int[] kept = cfg.keptAtCut.get(r[1]);
            if (kept != null) {
                if (kept.length != mine || java.util.Arrays.stream(kept).anyMatch(c -> c < 0 || c >= theirs)) {
                    throw new IllegalArgumentException(name(pruned.spec(), r) + " outputs " + mine
                            + " of the teacher's " + theirs + " channels but " + kept.length
                            + " kept indices within 0.." + (theirs - 1) + " were given");
                }
            } else if (mine != theirs) {
                // Only residual-tied outputs (ResNets) keep the teacher's width; the constraint needs equal shapes.
                throw new IllegalArgumentException(name(pruned.spec(), r) + " of " + pruned.spec() + " outputs " + mine
                        + " channels but the teacher's outputs " + theirs
                        + "; cross-network training needs equal stage widths");
            }
        }
        int steps = cfg.epochsPerStage > 0
                ? (int) Math.ceil(cfg.epochsPerStage * train.batchesPerEpoch())
                : cfg.stepsPerStage;
        boolean[] teacherModes = denseTeacher.modes();
        List<Tensor> teacherParams = denseTeacher.parameters();
        boolean[] teacherGrad = new boolean[teacherParams.size()];
        for (int i = 0; i < teacherGrad.length; i++)
            teacherGrad[i] = teacherParams.get(i).requires_grad();
        try (TorchNet student = pruned.toTorchNet()) {
            teacherParams.forEach(p -> p.set_requires_grad(false));
            denseTeacher.train(false);
            List<Tensor> studentParams = student.parameters();
            studentParams.forEach(p -> p.set_requires_grad(false));
            EndlessBatches batches = new EndlessBatches(train);
            for (int[] r : ranges) {
                trainRange(denseTeacher, student, r[0], r[1], cfg.keptAtCut.get(r[1]), batches, steps, cfg, progress);
            }
            return student.toStateDict();
        } finally {
            for (int i = 0; i < teacherGrad.length; i++) teacherParams.get(i).set_requires_grad(teacherGrad[i]);
            denseTeacher.restoreModes(teacherModes);
        }
    }

    /** "stage s" for a whole stage (s 0-based), else the block range's name. */
    private static String name(org.emodir.model.NetSpec spec, int[] r) {
        for (int s = 0; s < spec.numStages(); s++) {
            if (spec.stageStart(s) == r[0] && spec.stageStart(s + 1) == r[1]) return "stage " + s;
        }
        return spec.blockRangeName(r[0], r[1]);
    }

    private static void trainRange(
            TorchNet teacher,
            TorchNet student,
            int from,
            int to,
            int[] kept,
            EndlessBatches batches,
            int steps,
            Config cfg,
            Consumer<String> progress) {
        String s = name(student.spec(), new int[] {from, to});
        List<Tensor> params = student.blockParameters(from, to);
        params.forEach(p -> p.set_requires_grad(true));
        student.trainOnlyBlocks(from, to);
        long start = System.nanoTime();
        double firstMse = Double.NaN;
        double mseSum = 0;
        double taskSum = 0;
        int window = 0;
        try (Sgd sgd = new Sgd(params, cfg.momentum, cfg.weightDecay, false)) {
            for (int step = 0; step < steps; step++) {
                LabeledBatch b = batches.next();
                double mse = 0;
                double task = 0;
                sgd.zeroGrad();
                for (LabeledBatch part : MicroBatches.of(b)) {
                    try (PointerScope scope = new PointerScope()) {
                        Tensor x = Batches.images(part);
                        Tensor in;
                        Tensor target;
                        try (NoGradGuard noGrad = new NoGradGuard()) {
                            in = student.forwardBlocksFreeing(0, from, student.forwardStem(x));
                            target = teacher.forwardBlocksFreeing(
                                    from, to, teacher.forwardBlocksFreeing(0, from, teacher.forwardStem(x)));
                        }
                        Tensor out = student.forwardBlocks(from, to, in);
                        if (kept != null) out = zeroFilled(out, kept, target);
                        // Normalised by the teacher feature's mean square, so every cut's term has the same scale
                        // and the wide, large-valued late stages do not dominate (issue 15).
                        Tensor mseT = torch.mse_loss(out, target, REDUCTION_MEAN)
                                .div(target.square().mean().clamp_min(new Scalar(1e-12)));
                        Tensor logits = teacher.forwardFromBlock(to, out).div(new Scalar(cfg.temperature));
                        Tensor taskT = torch.cross_entropy_loss(
                                logits, Batches.labels(part), new TensorOptional(), REDUCTION_MEAN, IGNORE_INDEX, 0.0);
                        Tensor loss =
                                taskT.mul(new Scalar(cfg.lambdaTask)).add(mseT.mul(new Scalar(cfg.lambdaFeature)));
                        double w = MicroBatches.weight(part, b);
                        if (part != b) loss = loss.mul(new Scalar(w));
                        loss.backward();
                        mse += w * mseT.item_double();
                        task += w * taskT.item_double();
                    }
                }
                sgd.step(CosineSteps.lr(cfg.lr, step, steps));
                if (!Double.isFinite(mse) || !Double.isFinite(task)) {
                    throw new IllegalStateException(s + " step " + step + ": loss became mse=" + mse + " task=" + task);
                }
                if (step == 0) firstMse = mse;
                mseSum += mse;
                taskSum += task;
                window++;
                boolean last = step + 1 == steps;
                if (last || (cfg.progressEvery > 0 && (step + 1) % cfg.progressEvery == 0)) {
                    progress.accept(String.format(
                            "cross-network %s step %d/%d feature MSE %.5f (first %.5f) task CE %.4f %.1f s",
                            s,
                            step + 1,
                            steps,
                            mseSum / window,
                            firstMse,
                            taskSum / window,
                            (System.nanoTime() - start) / 1e9));
                    mseSum = 0;
                    taskSum = 0;
                    window = 0;
                }
            }
        } finally {
            params.forEach(p -> p.set_requires_grad(false));
        }
        student.train(false);
    }

    /** {@code pruned}'s channels placed at {@code kept} of a zero tensor shaped like {@code dense}; differentiable. */
    static Tensor zeroFilled(Tensor pruned, int[] kept, Tensor dense) {
        Tensor index = org.emodir.model.Tensors.longs(kept, kept.length);
        return torch.zeros_like(dense).index_copy(1, index, pruned);
    }

    /**
     * Mean squared error between stage {@code s}'s output of {@code pruned} (fed by its own earlier stages) and of
     * {@code teacher}, over {@code data}, both in eval mode: the feature constraint as a measurement.
     */
    public static double stageFeatureMse(TorchNet teacher, TorchNet pruned, int s, Iterable<LabeledBatch> data) {
        boolean[] tm = teacher.modes();
        boolean[] pm = pruned.modes();
        teacher.train(false);
        pruned.train(false);
        double sum = 0;
        long n = 0;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            for (LabeledBatch b : data) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = Batches.images(b);
                    Tensor a = pruned.forwardStage(s, pruned.forwardUpTo(s, x));
                    Tensor t = teacher.forwardStage(s, teacher.forwardUpTo(s, x));
                    sum += torch.mse_loss(a, t, REDUCTION_MEAN).item_double() * b.n();
                    n += b.n();
                }
            }
        } finally {
            teacher.restoreModes(tm);
            pruned.restoreModes(pm);
        }
        if (n == 0) throw new IllegalArgumentException("no images to measure the feature MSE on");
        return sum / n;
    }

    /** Endless batches: the loader's epochs one after another (epoch number advanced, so shuffles differ). */
    private static final class EndlessBatches {
        private final DataLoader loader;
        private Iterator<LabeledBatch> it;
        private int epoch;

        EndlessBatches(DataLoader loader) {
            this.loader = loader;
            if (loader.batchesPerEpoch() == 0) throw new IllegalArgumentException("training loader yields no batch");
            loader.setEpoch(0);
            this.it = loader.iterator();
        }

        LabeledBatch next() {
            if (!it.hasNext()) {
                loader.setEpoch(++epoch);
                it = loader.iterator();
            }
            return it.next();
        }
    }
}
