package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: a child JVM running checkpointed NSGA-II is SIGKILLed (destroyForcibly) three times at random
 * generations, resumed from its last checkpoint each time, and must end with the same first front, bit for
 * bit, as an uninterrupted in-process run with the same seed. The parent paces the child through stdin
 * (one byte per generation) so that a loaded machine cannot let it run to the end before the kill: after
 * reading k generation lines it allows generation k+1 and kills while that one is stepping, saving or
 * printing.
 */
class Nsga2KillResumeTest {
    private static final int GENERATIONS = 30, KILLS = 3;

    @Test
    void killedRunsResumeToTheUninterruptedFront(@TempDir Path dir) throws Exception {
        double[][] expected = CheckpointedMaskRun.run(null, GENERATIONS, () -> {}, null);
        Path checkpoint = dir.resolve("nsga2.ckpt");
        Random random = new Random(42);
        int lastSeen = 0;
        for (int kill = 0; kill < KILLS; ++kill) {
            int k = 1 + random.nextInt(8); // generation lines to see before the kill
            Process child = start(checkpoint);
            child.getOutputStream().write(new byte[k + 1]); // k generations to watch, then one to die in
            child.getOutputStream().flush();
            List<String> lines = new ArrayList<>();
            BufferedReader out = reader(child);
            String line;
            int seen = 0;
            while (seen < k && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("generation ")) ++seen;
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "killed child still running");
            out.close();
            assertEquals(k, seen, "child ended before " + k + " generations: " + lines + stderr(child));
            assertEquals(137, child.exitValue(), "the child must die by SIGKILL, not finish: " + lines);
            int first = generationOf(lines.get(firstGeneration(lines)));
            // Each generation is saved before it is printed, and the killed child was allowed one unprinted
            // generation: the resumed child starts right after the last printed one or the one after it.
            assertTrue(
                    first == lastSeen + 1 || first == lastSeen + 2,
                    "a resumed child continues from its last " + "checkpoint: its first generation is " + first
                            + " after " + lastSeen + " was printed");
            lastSeen = generationOf(lines.get(lines.size() - 1));
            assertTrue(lastSeen < GENERATIONS, "kill " + kill + " came after the run finished");
        }
        Process child = start(checkpoint);
        child.getOutputStream().close(); // EOF: the last child runs to the end unpaced
        List<String> lines;
        try (BufferedReader out = reader(child)) {
            lines = out.lines().toList();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "final child did not finish");
        assertEquals(0, child.exitValue(), "final child failed: " + lines + stderr(child));
        assertTrue(lines.contains("done"), lines.toString());
        assertFalse(lines.contains("generation 1"), "the final child must resume, not restart: " + lines);
        List<double[]> front = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("front ")) continue;
            String[] bits = line.split(" ");
            front.add(new double[] {
                Double.longBitsToDouble(Long.parseUnsignedLong(bits[1], 16)),
                Double.longBitsToDouble(Long.parseUnsignedLong(bits[2], 16))
            });
        }
        assertEquals(expected.length, front.size(), "front size");
        for (int i = 0; i < expected.length; ++i) {
            assertArrayEquals(expected[i], front.get(i), "front member " + i); // exact: same doubles
        }
    }

    private static Process start(Path checkpoint) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                java,
                "--add-opens",
                "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CheckpointedMaskRun.class.getName(),
                checkpoint.toString(),
                Integer.toString(GENERATIONS));
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String stderr(Process p) {
        try {
            return "\nstderr: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "\nstderr unreadable: " + e;
        }
    }

    private static int firstGeneration(List<String> lines) {
        for (int i = 0; i < lines.size(); ++i) if (lines.get(i).startsWith("generation ")) return i;
        throw new AssertionError("no generation line in " + lines);
    }

    private static int generationOf(String line) {
        return Integer.parseInt(line.substring("generation ".length()).trim());
    }
}
