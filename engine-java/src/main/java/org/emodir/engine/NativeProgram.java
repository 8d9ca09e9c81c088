package org.emodir.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.program.SubnetOp;
import org.emodir.program.SubnetProgram;

/**
 * A {@link SubnetProgram} handed to the native engine: ops encoded off-heap in the {@code emodir_op} layout
 * (flyweight writes at the ABI offsets), weights and group sizes off-heap, and the validated native handle.
 * The off-heap weights stay referenced here because the native program points into them.
 */
final class NativeProgram implements AutoCloseable {
    // emodir_op field offsets (emodir_native.h).
    private static final int KIND = 0,
            DST = 4,
            SRC = 8,
            IN_C = 12,
            OUT_C = 16,
            KERNEL = 20,
            STRIDE = 24,
            PAD = 28,
            MASK_GROUP = 32,
            WEIGHT_OFFSET = 40,
            BIAS_OFFSET = 48,
            NAME = 56;

    private final SubnetProgram program;
    private final UnsafeBuffer ops;
    private final UnsafeBuffer weights;
    private final UnsafeBuffer groups;
    private EmodirNative.emodir_program handle;

    NativeProgram(SubnetProgram program) {
        NativeLibraries.load();
        if (EmodirNative.emodir_op_bytes() != EmodirNative.OP_BYTES) {
            throw new IllegalStateException("libemodir_native has a " + EmodirNative.emodir_op_bytes()
                    + "-byte emodir_op but this binding writes " + EmodirNative.OP_BYTES
                    + " bytes: rebuild engine-native");
        }
        if (SubnetProgram.MAX_SLOTS != EmodirNative.MAX_SLOTS) {
            throw new IllegalStateException("programs are built for " + SubnetProgram.MAX_SLOTS
                    + " slots but the native engine has " + EmodirNative.MAX_SLOTS);
        }
        this.program = program;
        ops = direct(program.ops().size() * EmodirNative.OP_BYTES);
        for (int i = 0; i < program.ops().size(); ++i) encode(program.ops().get(i), i * EmodirNative.OP_BYTES);
        weights = direct(Math.multiplyExact(program.weights().length, Float.BYTES));
        for (int i = 0; i < program.weights().length; ++i) weights.putFloat(i * Float.BYTES, program.weights()[i]);
        int[] sizes = program.groupSizes();
        groups = direct(Math.max(1, sizes.length) * Integer.BYTES);
        for (int g = 0; g < sizes.length; ++g) groups.putInt(g * Integer.BYTES, sizes[g]);
        int[] in = program.inputShape();
        handle = EmodirNative.emodir_program_create(
                ops.addressOffset(),
                program.ops().size(),
                weights.addressOffset(),
                program.weights().length,
                in[0],
                in[1],
                in[2],
                groups.addressOffset(),
                sizes.length);
        if (handle == null || handle.isNull()) {
            throw new IllegalArgumentException(
                    "native engine rejected the program: " + EmodirNative.emodir_last_error());
        }
        if (EmodirNative.emodir_program_num_genes(handle) != program.numGenes()
                || EmodirNative.emodir_program_output_size(handle) != program.outputSize()) {
            throw new IllegalStateException("native and Java disagree on the program: genes "
                    + EmodirNative.emodir_program_num_genes(handle) + " vs " + program.numGenes() + ", output size "
                    + EmodirNative.emodir_program_output_size(handle) + " vs " + program.outputSize());
        }
    }

    SubnetProgram program() {
        return program;
    }

    EmodirNative.emodir_program handle() {
        if (handle == null) throw new IllegalStateException("native program already closed");
        return handle;
    }

    private void encode(SubnetOp op, int at) {
        ops.putInt(at + KIND, code(op.kind()));
        ops.putInt(at + DST, op.dst());
        ops.putInt(at + SRC, op.src());
        ops.putInt(at + IN_C, op.inC());
        ops.putInt(at + OUT_C, op.outC());
        ops.putInt(at + KERNEL, op.kernel());
        ops.putInt(at + STRIDE, op.stride());
        ops.putInt(at + PAD, op.pad());
        ops.putInt(at + MASK_GROUP, op.maskGroup());
        ops.putLong(at + WEIGHT_OFFSET, op.weightOffset());
        ops.putLong(at + BIAS_OFFSET, op.biasOffset());
        byte[] name = op.name().getBytes(StandardCharsets.UTF_8);
        int n = Math.min(name.length, EmodirNative.NAME_BYTES - 1); // keep the NUL terminator
        ops.putBytes(at + NAME, name, 0, n);
    }

    /** The ABI's op code of a kind (EMODIR_OP_* in emodir_native.h). */
    static int code(SubnetOp.Kind kind) {
        return switch (kind) {
            case CONV -> EmodirNative.OP_CONV;
            case RELU -> EmodirNative.OP_RELU;
            case ADD -> EmodirNative.OP_ADD;
            case MAXPOOL -> EmodirNative.OP_MAXPOOL;
            case HEAD -> EmodirNative.OP_HEAD;
        };
    }

    private static UnsafeBuffer direct(int bytes) {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder()));
    }

    @Override
    public void close() {
        if (handle != null) {
            EmodirNative.emodir_program_destroy(handle);
            handle = null;
        }
    }
}
