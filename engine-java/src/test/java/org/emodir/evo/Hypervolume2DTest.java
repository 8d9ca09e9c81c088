package org.emodir.evo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Hypervolume2DTest {
    @Test
    void staircaseByHand() {
        List<double[]> pts = List.of(
                new double[] {0.2, 0.8}, new double[] {0.5, 0.3}, new double[] {0.6, 0.9}, new double[] {1.5, 0.1});
        // (0.2,0.8) to x=0.5: 0.3*0.2 ; (0.5,0.3) to ref: 0.5*0.7 ; (0.6,0.9) dominated ; (1.5,..) outside.
        assertEquals(0.3 * 0.2 + 0.5 * 0.7, Metrics.hypervolume(pts, 1.0, 1.0), 1e-12);
        assertEquals(0.0, Metrics.hypervolume(List.of(), 1.0, 1.0));
    }

    @Test
    void matchesGridCountOnRandomSets() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
                // Points on a 1/20 grid so the cell count below is exact.
                pts.add(new double[] {rnd.nextInt(24) / 20.0, rnd.nextInt(24) / 20.0});
            }
            int cells = 0;
            for (int x = 0; x < 20; x++) {
                for (int y = 0; y < 20; y++) {
                    double cx = (x + 0.5) / 20;
                    double cy = (y + 0.5) / 20;
                    for (double[] p : pts) {
                        if (p[0] <= cx && p[1] <= cy) {
                            cells++;
                            break;
                        }
                    }
                }
            }
            assertEquals(cells / 400.0, Metrics.hypervolume(pts, 1.0, 1.0), 1e-12, "trial " + trial);
        }
    }
}
