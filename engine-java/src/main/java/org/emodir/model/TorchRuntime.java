package org.emodir.model;

import org.bytedeco.pytorch.global.torch;

/**
 * Process-wide libtorch setup, done once before the first tensor op: libtorch may default to one
 * thread here, and NNPACK rejects this CPU ("Unsupported hardware") on every convolution.
 */
public final class TorchRuntime {
    /** System property overriding the intra-op thread count (default: available processors). */
    public static final String THREADS_PROPERTY = "emodir.threads";

    private static volatile boolean initialised;

    private TorchRuntime() {}

    public static synchronized void init() {
        if (initialised) return;
        int threads = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors());
        torch.set_num_threads(Math.max(1, threads));
        torch.globalContext().setUserEnabledNNPACK(false);
        initialised = true;
    }
}
