package org.emodir.engine;

import java.util.Locale;
import org.emodir.engine.binding.EmodirNative;

/**
 * Conv arithmetic of the native CPU engine. {@link #BF16}: weights and conv inputs rounded to bfloat16, fp32
 * accumulation (VDPBF16PS where the CPU has AVX512_BF16, else the same rounded operands through the fp32 kernel,
 * {@link #bf16Hardware()}); bias, ReLU, residual adds, head and losses stay fp32.
 */
public enum Precision {
    FP32(EmodirNative.PRECISION_FP32),
    BF16(EmodirNative.PRECISION_BF16);

    private final int code;

    Precision(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** "fp32" or "bf16" (any case). */
    public static Precision parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32" -> FP32;
            case "bf16" -> BF16;
            default -> throw new IllegalArgumentException("precision must be fp32 or bf16, got '" + s + "'");
        };
    }

    /** "fp32" or "bf16": the command-line and report spelling ({@link #parse} reads it back). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when bf16 convs run on VDPBF16PS here; false when they are emulated at fp32 speed. */
    public static boolean bf16Hardware() {
        EmodirNative.load();
        return EmodirNative.emodir_cpu_bf16_hardware() == 1;
    }
}
