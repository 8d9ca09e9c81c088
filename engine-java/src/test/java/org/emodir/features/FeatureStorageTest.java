package org.emodir.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.StreamedParts;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.search.FeatureSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bfloat16 feature storage: the rounding against an independent nearest-value search, and the pretrained ResNet-20's
 * features of 40 real CIFAR-10 test images stored as bf16 (in memory, and under a 1 MB limit as a 10-segment file)
 * against the float32 cache: values within bf16 rounding, half the bytes on disk, population objectives streamed
 * from decoded segments equal to one call on the decoded features and close to float32's.
 */
class FeatureStorageTest {
    private static final int[] CUTS = FeatureCacheOutOfCoreTest.CUTS;

    @BeforeAll
    static void setUp() {
        FeatureCacheOutOfCoreTest.setUp(); // the same network, images and float32 cache
    }

    @AfterAll
    static void tearDown() {
        FeatureCacheOutOfCoreTest.tearDown();
    }

    /** The bf16 value nearest {@code f} by search over the two bf16 neighbours, ties to the even one. */
    private static float nearestBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        float down = Float.intBitsToFloat(bits & 0xffff0000);
        float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
        double dDown = Math.abs((double) f - down), dUp = Math.abs((double) up - f);
        if (dDown != dUp) return dDown < dUp ? down : up;
        return ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
    }

    @Test
    void bf16RoundsToTheNearestValueTiesToEven() {
        Random r = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            float f = i % 2 == 0
                    ? (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10))
                    : Float.intBitsToFloat(r.nextInt() & 0x7f7fffff | (r.nextBoolean() ? 0x80000000 : 0));
            if (Math.abs(f) > 3.3e38f) continue; // rounds past the largest finite bf16: checked below
            float got = FeatureStorage.fromBf16(FeatureStorage.toBf16(f));
            assertEquals(Float.floatToRawIntBits(nearestBf16(f)), Float.floatToRawIntBits(got), "value " + f);
        }
        // exact ties: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 and goes to the even 1; 1 + 3*2^-8 goes up
        assertEquals(1.0f, FeatureStorage.fromBf16(FeatureStorage.toBf16(1f + 0x1p-8f)));
        assertEquals(1f + 0x1p-6f, FeatureStorage.fromBf16(FeatureStorage.toBf16(1f + 3 * 0x1p-8f)));
        assertEquals(Float.POSITIVE_INFINITY, FeatureStorage.fromBf16(FeatureStorage.toBf16(Float.MAX_VALUE)));
        assertEquals(Float.NEGATIVE_INFINITY, FeatureStorage.fromBf16(FeatureStorage.toBf16(Float.NEGATIVE_INFINITY)));
        assertTrue(Float.isNaN(FeatureStorage.fromBf16(FeatureStorage.toBf16(Float.NaN))));
        assertEquals(0f, FeatureStorage.fromBf16(FeatureStorage.toBf16(0f)));
        assertThrows(IllegalArgumentException.class, () -> FeatureStorage.parse("fp16"));
    }

    @Test
    void bf16CacheHoldsTheFloatFeaturesWithinRoundingAndStreamsDecodedSegments(@TempDir Path dir) {
        FeatureCache fp32 = FeatureCacheOutOfCoreTest.inMemory;
        FeatureCache bf16 = build(Long.MAX_VALUE, null, new ArrayList<>());
        FeatureCache bf16Segments = build(1 << 20, dir.resolve("calib.emofeat"), new ArrayList<>());
        assertEquals(FeatureStorage.BF16, bf16.storage());
        assertEquals(1, bf16.segments());
        assertTrue(bf16Segments.segments() > 1, "segments: " + bf16Segments.segments());
        for (int cut : CUTS) {
            UnsafeBuffer e = fp32.feature(cut), got = bf16.feature(cut);
            assertEquals(e.capacity(), got.capacity(), "decoded to float32 at cut " + cut);
            for (int i = 0; i < e.capacity(); i += Float.BYTES) {
                float want = nearestBf16(e.getFloat(i));
                assertEquals(want, got.getFloat(i), "cut " + cut + " byte " + i);
            }
            // streamed over decoded segments: the same values in order
            int k = 0;
            List<EvaluationData> parts = bf16Segments.evaluationParts(cut, -1, false);
            assertTrue(parts instanceof StreamedParts);
            for (EvaluationData part : parts) {
                for (int i = 0; i < part.batch() * bf16.floatsPerImage(cut); i++, k++) {
                    assertEquals(got.getInt(k * Float.BYTES), part.input().getInt(i * Float.BYTES), "float " + k);
                }
            }
            // pooled features stream too, and match pooling the decoded whole
            double[][] pooled = bf16Segments.pooled(cut);
            double[][] reference = FeatureSelector.pooled(got, bf16.images(), bf16.shape(cut));
            for (int n = 0; n < pooled.length; n++) {
                for (int c = 0; c < pooled[n].length; c++) assertEquals(reference[n][c], pooled[n][c], 1e-9);
            }
            // images across a segment boundary
            UnsafeBuffer some = bf16Segments.images(cut, 3, 6);
            int per = bf16.floatsPerImage(cut);
            for (int i = 0; i < 6 * per; i++) {
                assertEquals(got.getFloat((3 * per + i) * Float.BYTES), some.getFloat(i * Float.BYTES));
            }
        }
        population(fp32, bf16, bf16Segments);
    }

    @Test
    void bf16FileIsHalfTheBytesAndAFloatRequestRebuildsIt(@TempDir Path dir) throws Exception {
        Path fp32File = dir.resolve("fp32.emofeat"), bf16File = dir.resolve("bf16.emofeat");
        List<String> log = new ArrayList<>();
        FeatureCacheOutOfCoreTest.withLimit(1 << 20, fp32File, log);
        FeatureCache first = build(1 << 20, bf16File, log);
        long data32 = Files.size(fp32File), data16 = Files.size(bf16File);
        assertTrue(data16 < 0.52 * data32 && data16 > 0.45 * data32, data16 + " vs " + data32 + " bytes");
        FeatureCache again = build(1 << 20, bf16File, log);
        assertTrue(again.loadedFromFile(), log.toString());
        for (int cut : CUTS) {
            UnsafeBuffer a = first.feature(cut), b = again.feature(cut);
            for (int i = 0; i < a.capacity(); i += Float.BYTES) assertEquals(a.getInt(i), b.getInt(i));
        }
        log.clear();
        FeatureCache asFloat = FeatureCacheOutOfCoreTest.withLimit(1 << 20, bf16File, log);
        assertFalse(asFloat.loadedFromFile());
        assertTrue(log.stream().anyMatch(m -> m.contains("stored as bf16, fp32 wanted")), log.toString());
        assertEquals(FeatureStorage.FP32, asFloat.storage());
    }

    private static FeatureCache build(long limit, Path file, List<String> log) {
        String previous = System.getProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
        System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, Long.toString(limit));
        try {
            return FeatureCache.build(
                    FeatureCacheOutOfCoreTest.dense,
                    FeatureCacheOutOfCoreTest.test,
                    FeatureCacheOutOfCoreTest.indices,
                    16,
                    CUTS,
                    log::add,
                    file,
                    FeatureStorage.BF16);
        } finally {
            if (previous == null) System.clearProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
            else System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, previous);
        }
    }

    /** Objectives on bf16 features: streamed decoded segments = one call on the decoded whole; near float32's. */
    private static void population(FeatureCache fp32, FeatureCache bf16, FeatureCache bf16Segments) {
        int population = 6;
        var weights = FeatureCacheOutOfCoreTest.weights;
        var spec = FeatureCacheOutOfCoreTest.dense.spec();
        SubnetProgram stage = NetSpecPrograms.blocks(spec, weights, 3, 6, fp32.shape(3), false);
        SubnetProgram last = NetSpecPrograms.blocks(spec, weights, 6, 9, fp32.shape(6), true);
        PopulationMasks masks = FeatureCacheOutOfCoreTest.randomMasks(stage, population, 20);
        PopulationMasks lastMasks = FeatureCacheOutOfCoreTest.randomMasks(last, population, 21);
        MemoryBudget unlimited = MemoryBudget.ofBytes(Long.MAX_VALUE);
        Objectives f32 = new Objectives(population), whole = new Objectives(population);
        Objectives streamed = new Objectives(population);
        Objectives f32Last = new Objectives(population), streamedLast = new Objectives(population);
        try (var a = new NativeCpuEvaluator(
                        stage,
                        new EvaluationData(fp32.feature(3), fp32.images(), fp32.feature(6), null),
                        FeatureCacheOutOfCoreTest.THREADS,
                        unlimited);
                var b = new NativeCpuEvaluator(
                        stage,
                        new EvaluationData(bf16.feature(3), bf16.images(), bf16.feature(6), null),
                        FeatureCacheOutOfCoreTest.THREADS,
                        unlimited);
                var c = new NativeCpuEvaluator(
                        stage,
                        bf16Segments.evaluationParts(3, 6, false),
                        FeatureCacheOutOfCoreTest.THREADS,
                        unlimited);
                var d = new NativeCpuEvaluator(
                        last,
                        new EvaluationData(fp32.feature(6), fp32.images(), null, fp32.labels()),
                        FeatureCacheOutOfCoreTest.THREADS,
                        unlimited);
                var e = new NativeCpuEvaluator(
                        last,
                        bf16Segments.evaluationParts(6, -1, true),
                        FeatureCacheOutOfCoreTest.THREADS,
                        unlimited)) {
            a.evaluate(masks, population, f32);
            b.evaluate(masks, population, whole);
            c.evaluate(masks, population, streamed);
            d.evaluate(lastMasks, population, f32Last);
            e.evaluate(lastMasks, population, streamedLast);
        }
        for (int i = 0; i < population; i++) {
            assertEquals(whole.mse(i), streamed.mse(i), 1e-5 * whole.mse(i) + 1e-9, "streamed MSE " + i);
            if (i > 0) assertEquals(f32.mse(i), streamed.mse(i), 0.05 * f32.mse(i), "bf16 vs fp32 MSE " + i);
            assertEquals(
                    f32Last.crossEntropy(i), streamedLast.crossEntropy(i), 0.02 * f32Last.crossEntropy(i), "CE " + i);
            assertEquals(f32Last.top1(i), streamedLast.top1(i), 2, "top-1 count " + i);
        }
    }
}
