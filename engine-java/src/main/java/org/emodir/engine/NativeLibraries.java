package org.emodir.engine;

import org.emodir.engine.binding.EmodirNative;
import org.emodir.model.TorchRuntime;

/**
 * One load order for the two native stacks of this process: libtorch (with its OpenMP runtime and oneDNN) first,
 * then the population engine, once, under one lock. Issue 12 saw a SIGSEGV inside libtorch's {@code System.load}
 * after the engine's worker threads had run; loading libtorch before any engine thread exists rules out that order.
 * {@code NativeLoadOrderTest} runs both orders and concurrent first uses in child JVMs.
 */
public final class NativeLibraries {
    private static volatile boolean loaded;

    private NativeLibraries() {}

    /** Loads both (idempotent, thread-safe); every entry point of the engine calls this before its first native call. */
    public static void load() {
        if (loaded) return;
        synchronized (NativeLibraries.class) {
            if (loaded) return;
            TorchRuntime.init();
            EmodirNative.load();
            loaded = true;
        }
    }
}
