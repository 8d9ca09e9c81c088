package org.emodir.engine.binding;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The binding loads from the packaged resources and reports C-side validation errors as text. */
class EmodirNativeTest {
    @Test
    void invalidProgramArgumentsAreReportedNotCrashed() {
        EmodirNative.emodir_program program = EmodirNative.emodir_program_create(0, 0, 0, 0, 3, 8, 8, 0, 0);
        assertTrue(program == null || program.isNull(), "no program for null ops");
        String error = EmodirNative.emodir_last_error();
        assertTrue(error.contains("emodir_program_create") && error.contains("num_ops 0"), error);
    }

    @Test
    void opLayoutMatchesTheLoadedLibrary() {
        org.junit.jupiter.api.Assertions.assertEquals(EmodirNative.OP_BYTES, EmodirNative.emodir_op_bytes());
    }

    @Test
    void cudaAvailabilityComesWithAReason() {
        int available = EmodirNative.emodir_cuda_available();
        String reason = EmodirNative.emodir_last_error();
        assertTrue(
                available == 1 || (available == 0 && reason.startsWith("no CUDA backend")), available + ": " + reason);
    }
}
