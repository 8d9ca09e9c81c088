package org.emodir.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.program.SubnetProgram;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pretrained ResNet-20's features of 40 real CIFAR-10 test images, once in memory and once under a 1 MB
 * in-memory limit ({@value FeatureCache#MEMORY_LIMIT_PROPERTY}): there every cut lives in a memory-mapped file of
 * 10 segments, population objectives streamed over the segments match one in-memory call, and a saved file is
 * reused only when its header, sizes and input checksum hold.
 */
class FeatureCacheOutOfCoreTest {
    static final int[] CUTS = {0, 3, 6, 9};
    static final int THREADS = 2;
    static StateDict weights;
    static TorchNet dense;
    static ImageDataset test;
    static int[] indices;
    static FeatureCache inMemory;

    @BeforeAll
    static void setUp() {
        weights = SharedFixtures.weights(SharedFixtures.RESNET20);
        dense = TorchNet.fromStateDict(NetSpec.dense("resnet20", 10), weights);
        test = SharedFixtures.cifar("test");
        indices = Subsets.firstPerClass(test, 4);
        inMemory = FeatureCache.build(dense, test, indices, 16, CUTS, null);
    }

    @AfterAll
    static void tearDown() {
        dense.close();
    }

    /** Builds with the in-memory limit set to {@code limit} bytes (the property restored after). */
    static FeatureCache withLimit(long limit, Path file, List<String> log) {
        String previous = System.getProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
        System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, Long.toString(limit));
        try {
            return FeatureCache.build(dense, test, indices, 16, CUTS, log::add, file);
        } finally {
            if (previous == null) System.clearProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
            else System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, previous);
        }
    }

    static void assertSameFeatures(FeatureCache expected, FeatureCache got) {
        assertEquals(expected.images(), got.images());
        assertEquals(java.util.Arrays.toString(expected.labelArray()), java.util.Arrays.toString(got.labelArray()));
        for (int cut : CUTS) {
            UnsafeBuffer e = expected.feature(cut);
            int k = 0;
            for (EvaluationData part : got.evaluationParts(cut, -1, false)) {
                for (int i = 0; i < part.batch() * got.floatsPerImage(cut); i++, k++) {
                    assertEquals(
                            e.getInt(k * Float.BYTES),
                            part.input().getInt(i * Float.BYTES),
                            "cut " + cut + " float " + k);
                }
            }
            assertEquals((long) expected.images() * expected.floatsPerImage(cut), k);
            assertEquals(expected.meanSquare(cut), got.meanSquare(cut), "mean square at cut " + cut);
        }
    }

    @Test
    void lowMemoryLimitGivesAMultiSegmentFileWithTheSameFeatures() {
        List<String> log = new ArrayList<>();
        // 40 images x 16x32x32 floats = 2.6 MB per cut at cuts 0 and 3: over 1 MB, segments of 256 KB = 4 images
        FeatureCache outOfCore = withLimit(1 << 20, null, log);
        assertEquals(1, inMemory.segments());
        assertEquals(10, outOfCore.segments(), log.toString());
        assertSameFeatures(inMemory, outOfCore);
        // each cut is under 2 GiB, so it also reads whole (one mapping; the segments are views of it)
        UnsafeBuffer whole = outOfCore.feature(3);
        UnsafeBuffer expected = inMemory.feature(3);
        assertEquals(expected.capacity(), whole.capacity());
        for (int i = 0; i < whole.capacity(); i += Float.BYTES) assertEquals(expected.getInt(i), whole.getInt(i));
    }

    @Test
    void populationObjectivesStreamedOverSegmentsMatchOneInMemoryCall() {
        FeatureCache outOfCore = withLimit(1 << 20, null, new ArrayList<>());
        int population = 6;
        // stage 2 (blocks 3..6, downsampling) against the dense stage output: MSE
        SubnetProgram stage = NetSpecPrograms.blocks(dense.spec(), weights, 3, 6, inMemory.shape(3), false);
        // stage 3 with the classifier: cross-entropy and top-1 against the labels
        SubnetProgram last = NetSpecPrograms.blocks(dense.spec(), weights, 6, 9, inMemory.shape(6), true);
        PopulationMasks masks = randomMasks(stage, population, 20);
        PopulationMasks lastMasks = randomMasks(last, population, 21);
        Objectives one = new Objectives(population), streamed = new Objectives(population);
        Objectives oneLast = new Objectives(population), streamedLast = new Objectives(population);
        MemoryBudget unlimited = MemoryBudget.ofBytes(Long.MAX_VALUE);
        try (var a = new NativeCpuEvaluator(
                        stage,
                        new EvaluationData(inMemory.feature(3), inMemory.images(), inMemory.feature(6), null),
                        THREADS,
                        unlimited);
                var b = new NativeCpuEvaluator(stage, outOfCore.evaluationParts(3, 6, false), THREADS, unlimited);
                var c = new NativeCpuEvaluator(
                        last,
                        new EvaluationData(inMemory.feature(6), inMemory.images(), null, inMemory.labels()),
                        THREADS,
                        unlimited);
                var d = new NativeCpuEvaluator(last, outOfCore.evaluationParts(6, -1, true), THREADS, unlimited)) {
            assertEquals(40, b.batch());
            a.evaluate(masks, population, one);
            b.evaluate(masks, population, streamed);
            c.evaluate(lastMasks, population, oneLast);
            d.evaluate(lastMasks, population, streamedLast);
        }
        for (int i = 0; i < population; i++) {
            assertEquals(one.mse(i), streamed.mse(i), 1e-5 * one.mse(i), "MSE of individual " + i);
            assertEquals(
                    oneLast.crossEntropy(i), streamedLast.crossEntropy(i), 1e-5 * oneLast.crossEntropy(i), "CE " + i);
            assertEquals(oneLast.top1(i), streamedLast.top1(i), "top-1 count of individual " + i);
        }
        assertTrue(
                one.mse(0) < 1e-8f, "individual 0 unpruned: MSE about 0 (native vs libtorch rounding): " + one.mse(0));
        assertTrue(one.mse(1) > 0 && oneLast.top1(0) >= 24, "pruned MSE > 0; the unpruned head classifies most");
    }

    @Test
    void savedFileIsReusedOnlyWhileHeaderSizesAndInputsMatch(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("calib.emofeat");
        List<String> log = new ArrayList<>();
        FeatureCache first = withLimit(1 << 20, file, log);
        assertFalse(first.loadedFromFile());
        assertTrue(Files.isRegularFile(file));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left beside it");
        }
        FeatureCache again = withLimit(1 << 20, file, log);
        assertTrue(again.loadedFromFile(), log.toString());
        assertSameFeatures(inMemory, again);
        // the default limit maps the same file in one segment
        FeatureCache oneSegment = FeatureCache.build(dense, test, indices, 16, CUTS, log::add, file);
        assertTrue(oneSegment.loadedFromFile());
        assertEquals(1, oneSegment.segments());

        // cut short: detected from the sizes, rebuilt, the reason logged naming the file
        long length = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length - 1000);
        }
        log.clear();
        FeatureCache rebuilt = withLimit(1 << 20, file, log);
        assertFalse(rebuilt.loadedFromFile());
        assertTrue(log.stream().anyMatch(m -> m.contains(file.toString()) && m.contains("cut short")), log.toString());
        assertEquals(length, Files.size(file));
        assertSameFeatures(inMemory, rebuilt);

        // other inputs (a different image subset of the same size) are not mistaken for these
        int[] other = indices.clone();
        other[0] = indices[0] + 500;
        log.clear();
        FeatureCache otherImages = FeatureCache.build(dense, test, other, 16, CUTS, log::add, file);
        assertFalse(otherImages.loadedFromFile());
        assertTrue(log.stream().anyMatch(m -> m.contains("other inputs")), log.toString());

        // a damaged magic (an interrupted write) is not valid either
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[8]), 0);
        }
        log.clear();
        assertFalse(
                FeatureCache.build(dense, test, other, 16, CUTS, log::add, file).loadedFromFile());
        assertTrue(log.stream().anyMatch(m -> m.contains("magic")), log.toString());
    }

    static PopulationMasks randomMasks(SubnetProgram p, int population, long seed) {
        Random r = new Random(seed);
        PopulationMasks m = new PopulationMasks(population, p.numGenes());
        for (int i = 0; i < population; i++) {
            for (int g = 0; g < p.numGenes(); g++) m.set(i, g, i == 0 || r.nextDouble() < 0.6);
        }
        return m;
    }
}
