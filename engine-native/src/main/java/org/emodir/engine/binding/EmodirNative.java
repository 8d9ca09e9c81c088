package org.emodir.engine.binding;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * Thin JavaCPP binding of {@code emodir_native.h}. Buffers travel as raw addresses of off-heap memory
 * (Agrona {@code UnsafeBuffer.addressOffset()}), so no call copies data. Callers validate sizes first;
 * the C side validates again and reports through {@link #emodir_last_error()}.
 *
 * <p>The build (CMake via Maven) puts libemodir_native.so beside the generated libjniEmodirNative.so in
 * {@code org/emodir/nativ/linux-x86_64/}, where {@link Loader#load} finds both inside the jar.
 */
@Platform(include = "emodir_native.h", link = "emodir_native")
public final class EmodirNative {
    static {
        Loader.load();
    }

    private EmodirNative() {}

    public static final int EMODIR_OK = 0;
    public static final int EMODIR_ERR_INVALID_ARGUMENT = 1;
    public static final int EMODIR_ERR_EMPTY_MASK = 3;
    public static final int EMODIR_ERR_NO_CUDA = 4;

    public static final int OP_CONV = 1;
    public static final int OP_RELU = 2;
    public static final int OP_ADD = 3;
    public static final int OP_MAXPOOL = 4;
    public static final int OP_HEAD = 5;
    public static final int MAX_SLOTS = 8;
    public static final int NAME_BYTES = 48;
    public static final int OP_BYTES = 104;
    public static final int NUM_OBJECTIVES = 3;
    public static final int PRECISION_FP32 = 0;
    public static final int PRECISION_BF16 = 1;

    /** Opaque handle of a validated program. */
    @Opaque
    public static final class emodir_program extends Pointer {
        public emodir_program() {
            super((Pointer) null);
        }
    }

    /** Forces the natives to load (and fail loudly here rather than at first use). */
    public static void load() {
        Loader.load(EmodirNative.class);
    }

    public static native String emodir_last_error();

    /** The CPU kernel clone this process runs, e.g. "x86-64-v4 (AVX-512)". */
    public static native String emodir_cpu_kernel_isa();

    /**
     * FMA peak probe: {@code threads} threads each run {@code iterations} x 12 independent 16-lane FMAs; returns the
     * fp32 FLOPs done (the caller times the call), -1 on bad arguments.
     */
    public static native long emodir_cpu_fma_probe(int threads, long iterations);

    /** sizeof(emodir_op) in the loaded library; must equal {@link #OP_BYTES}. */
    public static native int emodir_op_bytes();

    public static native emodir_program emodir_program_create(
            @Cast("const emodir_op*") long ops,
            int numOps,
            @Cast("const float*") long weights,
            long numWeights,
            int inC,
            int inH,
            int inW,
            @Cast("const int32_t*") long groupSizes,
            int numGroups);

    public static native void emodir_program_destroy(emodir_program program);

    /** EMODIR_PRECISION_FP32 / _BF16 for the CPU backend's convs of this program; an emodir status. */
    public static native int emodir_program_set_precision(emodir_program program, int precision);

    /** 1 when bf16 convs run VDPBF16PS on this CPU, 0 when they are emulated with the fp32 kernel. */
    public static native int emodir_cpu_bf16_hardware();

    public static native int emodir_program_num_genes(emodir_program program);

    public static native long emodir_program_output_size(emodir_program program);

    public static native long emodir_program_input_size(emodir_program program);

    public static native int emodir_cpu_evaluate(
            emodir_program program,
            @Cast("const uint8_t*") long masks,
            int population,
            @Cast("const float*") long input,
            int batch,
            @Cast("const float*") long reference,
            @Cast("const int32_t*") long labels,
            int threads,
            @Cast("float*") long objectives);

    public static native int emodir_cpu_forward(
            emodir_program program,
            @Cast("const uint8_t*") long masks,
            int population,
            @Cast("const float*") long input,
            int batch,
            int threads,
            @Cast("float*") long outputs);

    public static native int emodir_cuda_available();

    public static native int emodir_cuda_evaluate(
            emodir_program program,
            @Cast("const uint8_t*") long masks,
            int population,
            @Cast("const float*") long input,
            int batch,
            @Cast("const float*") long reference,
            @Cast("const int32_t*") long labels,
            @Cast("float*") long objectives);

    /** Host scratch bytes of an emodir_cpu_evaluate call of this shape, -1 on bad arguments. */
    public static native long emodir_cpu_scratch_bytes(emodir_program program, int population, int batch, int threads);

    /** Device bytes of an emodir_cuda_evaluate call of this shape, -1 on bad arguments. */
    public static native long emodir_cuda_scratch_bytes(emodir_program program, int population, int batch);

    /** Free bytes on CUDA device 0, -1 when none is usable. */
    public static native long emodir_cuda_free_bytes();
}
