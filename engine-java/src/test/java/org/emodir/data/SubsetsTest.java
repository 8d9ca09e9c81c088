package org.emodir.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SubsetsTest {
    private final ImageDataset ds = TestImages.random(40, 4, new ImageGeometry(2, 2, 0), 1); // label i % 4

    @Test
    void firstPerClass() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, Subsets.firstPerClass(ds, 2));
    }

    @Test
    void stratifiedRandomIsBalancedSeededAndAscending() {
        int[] a = Subsets.stratifiedRandom(ds, 3, 9);
        assertArrayEquals(a, Subsets.stratifiedRandom(ds, 3, 9));
        assertFalse(Arrays.equals(a, Subsets.stratifiedRandom(ds, 3, 10)));
        assertEquals(12, a.length);
        int[] perClass = new int[4];
        for (int i = 0; i < a.length; i++) {
            perClass[ds.label(a[i])]++;
            if (i > 0) {
                assertEquals(true, a[i] > a[i - 1], "ascending and distinct");
            }
        }
        assertArrayEquals(new int[] {3, 3, 3, 3}, perClass);
        assertFalse(Arrays.equals(a, Subsets.firstPerClass(ds, 3)));
    }

    @Test
    void tooFewImagesNamesTheClass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Subsets.firstPerClass(ds, 11));
        assertEquals(true, e.getMessage().contains("c0"), e.getMessage());
        assertEquals(40, Subsets.all(ds).length);
    }
}
