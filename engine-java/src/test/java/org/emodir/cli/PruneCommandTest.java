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
    void missingOutIsAUsageError() {
        assertEquals(2, run(new StringWriter(), "prune"));
    }
}
