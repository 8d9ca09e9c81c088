package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    private final ImageDataset ds = TestImages.random(50, 5, ImageGeometry.CIFAR, 3);

    /** One epoch as (indices, pixel checksum) per batch. */
    private static List<String> epoch(DataLoader loader) {
        List<String> out = new ArrayList<>();
        for (LabeledBatch b : loader) {
            double sum = 0;
            for (int i = 0; i < b.floats(); i++) {
                sum += TestImages.at(b.pixels(), i) * (i % 7 + 1);
            }
            out.add(Arrays.toString(Arrays.copyOf(b.indices(), b.n())) + ":" + sum);
        }
        return out;
    }

    private DataLoader.Builder training() {
        return DataLoader.builder(ds)
                .batchSize(16)
                .shuffle(true)
                .augmentation(Augmentation.CIFAR)
                .seed(42);
    }

    @Test
    void sameSeedAndEpochGiveSameBatches() {
        DataLoader a = training().build();
        DataLoader b = training().build();
        a.setEpoch(3);
        b.setEpoch(3);
        assertEquals(epoch(a), epoch(b));
        assertEquals(epoch(a), epoch(a), "re-iterating an epoch repeats it");
    }

    @Test
    void epochAndSeedChangeOrderAndAugmentation() {
        DataLoader a = training().build();
        List<String> e0 = epoch(a);
        a.setEpoch(1);
        assertNotEquals(e0, epoch(a));
        assertNotEquals(e0, epoch(training().seed(43).build()));
    }

    @Test
    void everyImageOnceWithLabelsAndPartialLastBatch() {
        DataLoader loader = training().build();
        assertEquals(4, loader.batchesPerEpoch());
        int[] seen = new int[ds.size()];
        List<Integer> sizes = new ArrayList<>();
        UnsafeBuffer buffer = null;
        for (LabeledBatch b : loader) {
            if (buffer != null) {
                assertSame(buffer, b.pixels(), "batch buffer is reused");
            }
            buffer = b.pixels();
            sizes.add(b.n());
            assertEquals(3, b.c());
            assertEquals(32, b.h());
            for (int i = 0; i < b.n(); i++) {
                seen[b.indices()[i]]++;
                assertEquals(ds.label(b.indices()[i]), b.labels()[i]);
            }
        }
        assertEquals(List.of(16, 16, 16, 2), sizes);
        for (int s : seen) {
            assertEquals(1, s);
        }
    }

    @Test
    void dropLastAndSubset() {
        int[] subset = Subsets.firstPerClass(ds, 3);
        DataLoader loader = DataLoader.builder(ds)
                .subset(subset)
                .batchSize(4)
                .dropLast(true)
                .build();
        assertEquals(3, loader.batchesPerEpoch());
        List<Integer> order = new ArrayList<>();
        for (LabeledBatch b : loader) {
            assertEquals(4, b.n());
            for (int i = 0; i < b.n(); i++) {
                order.add(b.indices()[i]);
            }
        }
        int[] expected = Arrays.copyOf(subset, 12);
        assertArrayEquals(expected, order.stream().mapToInt(Integer::intValue).toArray(), "no shuffle keeps order");
    }

    @Test
    void unshuffledUnaugmentedBatchEqualsFill() {
        DataLoader loader = DataLoader.builder(ds).batchSize(8).build();
        LabeledBatch first = loader.iterator().next();
        UnsafeBuffer mine = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8 * 3 * 32 * 32 * 4, 64));
        loader.fill(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 8, mine);
        for (int i = 0; i < first.floats(); i++) {
            assertEquals(TestImages.at(mine, i), TestImages.at(first.pixels(), i));
        }
    }

    @Test
    void augmentationChangesPixelsButNotOrder() {
        DataLoader plain = DataLoader.builder(ds).batchSize(50).seed(5).build();
        DataLoader aug = DataLoader.builder(ds)
                .batchSize(50)
                .seed(5)
                .augmentation(Augmentation.CIFAR)
                .build();
        float[] p = new float[50 * 3072];
        for (LabeledBatch b : plain) {
            for (int i = 0; i < p.length; i++) {
                p[i] = TestImages.at(b.pixels(), i);
            }
        }
        int differing = 0;
        for (LabeledBatch b : aug) {
            for (int i = 0; i < p.length; i++) {
                differing += TestImages.at(b.pixels(), i) != p[i] ? 1 : 0;
            }
            assertTrue(Arrays.equals(Subsets.all(ds), Arrays.copyOf(b.indices(), b.n())));
        }
        assertFalse(differing < p.length / 2, "only " + differing + " of " + p.length + " values changed");
    }
}
