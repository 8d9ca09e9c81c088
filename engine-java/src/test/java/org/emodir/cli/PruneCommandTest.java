package org.emodir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Argument handling of {@code emodir prune}; the pipeline itself is covered by PruneJobTest. */
class PruneCommandTest {
    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void invalidSettingsFailWithTheFieldNamed(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "prune", "--out", dir.resolve("r").toString(), "--target-flops", "1.5"));
        assertTrue(err.toString().contains("target must be in (0, 1)"), err.toString());
        err = new StringWriter();
        assertEquals(1, run(err, "prune", "--out", dir.resolve("r").toString(), "--preset", "huge"));
        assertTrue(err.toString().contains("--preset must be quick or paper"), err.toString());
        err = new StringWriter();
        assertEquals(1, run(err, "prune", "--out", dir.resolve("r").toString(), "--population", "3"));
        assertTrue(err.toString().contains("population"), err.toString());
    }

    @Test
    void sparkWithoutTheSparkJarSaysWhichJarToAddBeforeAnyWork(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        Path out = dir.resolve("r");
        assertEquals(1, run(err, "prune", "--out", out.toString(), "--spark", "local[2]"));
        assertTrue(err.toString().contains("--spark needs the engine-spark jar on the class path"), err.toString());
        assertTrue(!java.nio.file.Files.exists(out), "nothing written");

        PruneCommand c = new PruneCommand();
        new CommandLine(c).parseArgs("--out", "x", "--spark", "spark://head:7077");
        var cfg = c.configure().build();
        assertEquals("spark://head:7077", cfg.spark());
        assertTrue(!cfg.resultSettings().toString().contains("spark"), "a Spark run resumes a local one and back");
    }

    @Test
    void missingOutIsAUsageError() {
        assertEquals(2, run(new StringWriter(), "prune"));
    }

    @Test
    void negatableFlagsAndNewChoicesReachTheConfig() throws Exception {
        PruneCommand plain = new PruneCommand();
        new CommandLine(plain).parseArgs("--out", "x");
        var defaults = plain.configure().build();
        assertTrue(defaults.latency() && defaults.gpirAdaptiveBn());
        assertEquals(org.emodir.pipeline.PruneConfig.Impairment.MSE, defaults.impairment());

        PruneCommand c = new PruneCommand();
        new CommandLine(c)
                .parseArgs(
                        "--out",
                        "x",
                        "--no-latency",
                        "--no-gpir-adaptive-bn",
                        "--impairment",
                        "Selector",
                        "--baseline",
                        "criteria,whole-network",
                        "--normalization",
                        "0.5,0.5,0.5/0.25,0.25,0.25");
        var cfg = c.configure().build();
        assertTrue(!cfg.latency() && !cfg.gpirAdaptiveBn() && cfg.baselineCriteria() && cfg.baselineWholeNetwork());
        assertEquals(org.emodir.pipeline.PruneConfig.Impairment.SELECTOR, cfg.impairment());
        assertEquals(0.25f, cfg.normalization().std()[2]);

        PruneCommand bad = new PruneCommand();
        new CommandLine(bad).parseArgs("--out", "x", "--impairment", "ssim");
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> bad.configure());
        assertTrue(e.getMessage().contains("--impairment") && e.getMessage().contains("ssim"), e.getMessage());
    }

    @Test
    void classesAndSkipBadImagesReachTheConfig(@TempDir Path dir) throws Exception {
        PruneCommand plain = new PruneCommand();
        new CommandLine(plain).parseArgs("--out", "x");
        var defaults = plain.configure().build();
        assertTrue(defaults.dataSelection().isDefault());
        assertTrue(!defaults.resultSettings().containsKey("classes"), "old run directories still resume");

        PruneCommand c = new PruneCommand();
        new CommandLine(c).parseArgs("--out", "x", "--classes", "imagenet100", "--skip-bad-images");
        var cfg = c.configure().build();
        assertEquals(100, cfg.dataSelection().classes().classes().size());
        assertTrue(cfg.dataSelection().skipBadImages());
        assertEquals("imagenet100", cfg.resultSettings().get("classes"));

        StringWriter err = new StringWriter();
        Path missing = dir.resolve("no-such-list.txt");
        assertEquals(1, run(err, "prune", "--out", dir.resolve("r").toString(), "--classes", missing.toString()));
        assertTrue(err.toString().contains(missing.toString()), err.toString());
    }

    @Test
    void precisionReachesTheConfigAndBadValuesAreUsageErrorsNamingTheFlag(@TempDir Path dir) throws Exception {
        PruneCommand plain = new PruneCommand();
        new CommandLine(plain).parseArgs("--out", "x");
        var defaults = plain.configure().build();
        assertEquals(org.emodir.engine.Precision.FP32, defaults.precision());
        assertTrue(!defaults.resultSettings().containsKey("precision"), "old run directories still resume");

        PruneCommand c = new PruneCommand();
        new CommandLine(c).parseArgs("--out", "x", "--precision", "bf16");
        var cfg = c.configure().build();
        assertEquals(org.emodir.engine.Precision.BF16, cfg.precision());
        assertEquals("bf16", cfg.resultSettings().get("precision"), "a result setting");
        PruneCommand onSpark = new PruneCommand();
        new CommandLine(onSpark).parseArgs("--out", "x", "--precision", "bf16", "--spark", "local[2]");
        var sparkCfg = onSpark.configure().build();
        assertEquals(org.emodir.engine.Precision.BF16, sparkCfg.precision(), "bf16 with --spark (issue 19)");
        assertEquals("local[2]", sparkCfg.spark());

        Path out = dir.resolve("r");
        for (String command : new String[] {"prune", "bench"}) {
            StringWriter err = new StringWriter();
            assertEquals(2, run(err, command, "--out", out.toString(), "--precision", "fp16"), command);
            assertTrue(err.toString().contains("--precision must be fp32 or bf16, got 'fp16'"), err.toString());
        }
        assertTrue(!java.nio.file.Files.exists(out), "nothing written");
    }

    @Test
    void benchRefusesToReadBackASeedFinishedAtAnotherPrecision(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench");
        java.nio.file.Files.createDirectories(out.resolve("seed-1"));
        java.nio.file.Files.writeString(out.resolve("seed-1/report.json"), "{\"config\": {\"model\": \"resnet20\"}}");
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "bench", "--seeds", "1", "--out", out.toString(), "--precision", "bf16", "--json"));
        assertTrue(
                err.toString().contains("finished with --precision fp32, this bench asks for --precision bf16"),
                err.toString());
    }
}
