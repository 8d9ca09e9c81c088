package org.emodir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emodir bench}: seeds as run directories, mean ± std over them, finished seeds read back. */
class BenchCommandTest {
    private static final String[] TINY = {
        "--model", "resnet20", "--population", "4", "--generations", "1", "--calib-per-class", "2",
        "--heldout-per-class", "3", "--front-cap", "4", "--constraint-steps", "1", "--finetune-epochs", "0.002",
        "--batch-size", "50", "--eval-images", "50", "--threads", "2", "--no-whole-network", "--json"
    };

    @Test
    void twoSeedsGiveMeanAndStdOfEveryCriterionAndAFinishedSeedIsNotRepeated(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench");
        String[] args = args(out);
        CliTest.Run r = CliTest.run(args);
        assertEquals(0, r.exit(), r.err() + r.out());
        JsonNode table = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        assertEquals(2, table.get("seeds").asInt());
        assertEquals(50, table.get("test_images").asInt());
        JsonNode rows = table.get("rows");
        for (String network : new String[] {"EMO-DIR", "uniform L1", "global BN scale", "random"}) {
            JsonNode row = null;
            for (JsonNode x : rows) if (x.get("network").asText().equals(network)) row = x;
            assertTrue(row != null, network + " in " + rows);
            assertEquals(2, row.at("/top1/n").asInt(), network + " has a top-1 per seed");
            assertEquals(2, row.at("/ce_before_training/n").asInt(), network + " has a CE per seed");
            assertTrue(row.at("/flops_reduction/mean").asDouble() >= 0.5, network + " meets the target");
            double a = row.at("/top1/values/0").asDouble(),
                    b = row.at("/top1/values/1").asDouble();
            assertEquals((a + b) / 2, row.at("/top1/mean").asDouble(), 1e-12);
            assertEquals(Math.abs(a - b) / Math.sqrt(2), row.at("/top1/std").asDouble(), 1e-12);
        }
        String md = Files.readString(out.resolve("bench.md"));
        assertTrue(md.contains("50 test images") && md.contains("2 seeds") && md.contains("| EMO-DIR |"), md);
        assertTrue(Files.exists(out.resolve("seed-1/report.json")) && Files.exists(out.resolve("seed-2/report.json")));

        long before =
                Files.getLastModifiedTime(out.resolve("seed-1/report.json")).toMillis();
        CliTest.Run again = CliTest.run(args);
        assertEquals(0, again.exit(), again.err());
        assertEquals(
                before,
                Files.getLastModifiedTime(out.resolve("seed-1/report.json")).toMillis(),
                "not rerun");
        assertEquals(
                table, new ObjectMapper().readTree(out.resolve("bench.json").toFile()));
    }

    private static String[] args(Path out) {
        String[] a = new String[TINY.length + 7];
        a[0] = "bench";
        a[1] = "--seeds";
        a[2] = "2";
        a[3] = "--out";
        a[4] = out.toString();
        a[5] = "--cache-dir";
        a[6] = SharedFixtures.CACHE.toString();
        System.arraycopy(TINY, 0, a, 7, TINY.length);
        return a;
    }
}
