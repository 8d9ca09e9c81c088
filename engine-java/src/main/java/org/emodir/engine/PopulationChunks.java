package org.emodir.engine;

import org.emodir.engine.binding.EmodirNative;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.MemoryBudgetException;

/**
 * Splits a population evaluation into consecutive native calls that each fit a {@link MemoryBudget}: first
 * the population, and when one individual on the whole image batch does not fit, the image batch too. The
 * native engines' bytes are affine in the population ({@code fixed + population * perIndividual}) and grow
 * with the batch, so a few size queries give the plan; objectives depend only on the individual, so a
 * population split returns exactly what one call would, and an image split is combined exactly up to float
 * rounding (see {@link ChunkedNativeEvaluator}).
 */
final class PopulationChunks {
    /** One native call on individuals {@code [start, start + count)}; returns an emodir error code. */
    @FunctionalInterface
    interface Call {
        int run(int start, int count);
    }

    /** Native bytes of a call of {@code population} individuals on {@code images} images (-1 on bad arguments). */
    @FunctionalInterface
    interface Bytes {
        long of(int population, int images);
    }

    /**
     * How a population of {@code population} individuals on {@code batch} images is cut into calls: blocks of
     * {@code individualsPerCall} individuals, each on consecutive sub-batches of {@code imagesPerCall} images
     * (the last block and sub-batch may be smaller). {@code imagesPerCall == batch} means no image split.
     */
    record Plan(int individualsPerCall, int imagesPerCall, int batch) {
        boolean splitsImages() {
            return imagesPerCall < batch;
        }
    }

    private PopulationChunks() {}

    /**
     * The plan under {@code budget}: the whole batch per call when one individual fits with it, else the
     * largest image sub-batch one individual fits with; then as many individuals per call as fit.
     *
     * @throws MemoryBudgetException when one individual on a single image does not fit (message: bytes
     *                               needed and the budget)
     */
    static Plan plan(String what, Bytes bytes, MemoryBudget budget, int population, int batch) {
        int images = batch;
        long one = checked(bytes.of(1, batch));
        if (one > budget.bytes()) {
            long oneImage = checked(bytes.of(1, 1));
            if (oneImage > budget.bytes()) {
                throw new MemoryBudgetException(
                        what + " needs " + oneImage + " bytes for a single individual on a single "
                                + "image (" + one + " bytes on all " + batch + " images) but the memory budget is "
                                + budget.bytes()
                                + " bytes (" + budget.source() + "); raise -D" + MemoryBudget.PROPERTY);
            }
            int lo = 1, hi = batch - 1; // bytes(1, lo) fits, bytes(1, batch) does not: largest fitting sub-batch
            while (lo < hi) {
                int mid = lo + (hi - lo + 1) / 2;
                if (checked(bytes.of(1, mid)) <= budget.bytes()) lo = mid;
                else hi = mid - 1;
            }
            images = lo;
            one = checked(bytes.of(1, images));
        }
        long perExtra = population > 1 ? checked(bytes.of(2, images)) - one : 0;
        int individuals = budget.individualsPerCall(what, one, perExtra, population);
        return new Plan(individuals, images, batch);
    }

    private static long checked(long bytes) {
        if (bytes < 0) throw NativeException.from(EmodirNative.EMODIR_ERR_INVALID_ARGUMENT);
        return bytes;
    }

    static void run(int population, int perCall, Call call) {
        for (int start = 0; start < population; start += perCall) {
            int rc = call.run(start, Math.min(perCall, population - start));
            if (rc != EmodirNative.EMODIR_OK) throw NativeException.from(rc);
        }
    }
}
