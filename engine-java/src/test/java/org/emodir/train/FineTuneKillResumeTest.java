package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.emodir.data.DataDirs;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test: a child JVM fine-tuning with a checkpoint ({@link CheckpointedFineTune}) is SIGKILLed
 * (destroyForcibly) {@value #KILLS} times at random points, restarted from its checkpoint each time, and
 * must end with the same weights and per-step losses, bit for bit, as an uninterrupted run with the same
 * seed in another fresh child JVM. Bit-identity is expected: with one libtorch thread the CPU kernels are deterministic, the
 * data order and augmentation are a pure function of (seed, epoch, image), and the checkpoint holds the
 * exact float32 weights, BN statistics and momentum buffers.
 *
 * <p>The parent paces the child through stdin (one byte per step line) so that a loaded machine cannot let it
 * run to the end before the kill: after reading k step lines it allows one more step and kills after a
 * seeded random delay of up to 1.5 of the child's mean step time (checkpoint writes included), so the kill lands in a forward/backward, in a checkpoint write, or
 * while the child waits. Meanwhile a watcher thread keeps reading the checkpoint file: every read must parse
 * as a complete checkpoint at a saved step (it is replaced atomically, never half-written).
 */
class FineTuneKillResumeTest {
    private static final int KILLS = 3;

    @Test
    void killedFineTuneResumesToTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        // The uninterrupted run is a fresh child JVM too: a JVM that already ran other libtorch work can give
        // other bits for the same fine-tune (seen in the full suite), so only fresh JVMs are compared.
        long t0 = System.nanoTime();
        Path reference = dir.resolve("reference.safetensors");
        List<String> referenceLines =
                runToEnd(CheckpointedFineTune.NO_CHECKPOINT, reference, dir.resolve("stderr-reference.txt"));
        double referenceSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(
                "fine-tune step 1/" + CheckpointedFineTune.STEPS,
                referenceLines.get(0).substring(0, referenceLines.get(0).indexOf(" (")),
                "the reference run starts from scratch");
        StateDict expected = SafeTensors.read(reference);
        double stepMillis = stepSeconds(referenceLines) * 1e3;

        Path checkpoint = dir.resolve("finetune.ckpt"), result = dir.resolve("result.safetensors");
        CheckpointWatcher watcher = new CheckpointWatcher(checkpoint);
        watcher.start();
        Random random = new Random(42);
        int saved = 0; // step of the checkpoint on disk
        try {
            for (int kill = 0; kill < KILLS; ++kill) {
                int k = 1
                        + random.nextInt(4); // step lines to see before the kill; at most 5 steps per child, 15 in all
                double delayFraction = random.nextDouble() * 1.5; // of this child's mean step time, saves included
                long c0 = System.nanoTime();
                Process child = start(checkpoint, result, dir.resolve("stderr-" + kill + ".txt"));
                child.getOutputStream().write(new byte[k]); // k steps to watch, then one to die in
                child.getOutputStream().flush();
                List<String> lines = new ArrayList<>();
                BufferedReader out = reader(child);
                String line;
                int seen = 0;
                double firstLine = -1;
                while (seen < k && (line = out.readLine()) != null) {
                    if (firstLine < 0) firstLine = (System.nanoTime() - c0) / 1e9;
                    lines.add(line);
                    if (line.startsWith("fine-tune step ")) ++seen;
                }
                long delayMillis = (long) (delayFraction * elapsedSeconds(lines.get(lines.size() - 1)) * 1e3 / k);
                Thread.sleep(delayMillis);
                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
                assertTrue(child.waitFor(10, TimeUnit.SECONDS), "killed child still running");
                out.close();
                assertEquals(k, seen, "child ended before " + k + " steps: " + lines + stderr(dir, kill));
                assertEquals(137, child.exitValue(), "the child must die by SIGKILL, not finish: " + lines);
                if (saved > 0) {
                    assertEquals(
                            resumedLine(saved, checkpoint),
                            lines.get(0),
                            "a restarted child resumes from the checkpoint");
                }
                assertEquals(saved + 1, stepOf(lines.get(firstStep(lines))), "first step after a resume: " + lines);
                int printed = stepOf(lines.get(lines.size() - 1));
                assertTrue(printed < CheckpointedFineTune.STEPS, "kill " + kill + " came after the run finished");
                // Complete after every SIGKILL (absent only when the first child died before its first save).
                int after = FineTuneCheckpoint.exists(checkpoint)
                        ? FineTuneCheckpoint.load(checkpoint).step()
                        : 0;
                // Steps are saved before they are printed and the child was allowed one unprinted step.
                assertTrue(
                        after % CheckpointedFineTune.CHECKPOINT_EVERY == 0 && after >= saved && after <= printed + 1,
                        "checkpoint at step " + after + " after " + printed + " printed");
                saved = after;
                System.out.printf(
                        "kill %d: first line after %.1f s, %d steps seen, killed %d ms later at step line %d, "
                                + "checkpoint at step %d, child lived %.1f s%n",
                        kill, firstLine, k, delayMillis, printed, saved, (System.nanoTime() - c0) / 1e9);
            }
            assertTrue(saved > 0, "some kill must come after a checkpoint so that a resume happens");
            List<String> lines = runToEnd(checkpoint.toString(), result, dir.resolve("stderr-final.txt"));
            assertEquals(resumedLine(saved, checkpoint), lines.get(0), "the final child must resume, not restart");
        } finally {
            watcher.stop();
        }
        assertNull(watcher.failure.get(), () -> "a read of the checkpoint saw a broken file: " + watcher.failure.get());
        assertTrue(watcher.reads.get() > 0, "the watcher must have read checkpoints");

        StateDict resumed = SafeTensors.read(result);
        FineTuneCheckpoint last = FineTuneCheckpoint.load(checkpoint);
        assertEquals(CheckpointedFineTune.STEPS, last.step());
        assertEquals(expected.names(), resumed.names());
        assertTrue(
                expected.names().size() > 1 && expected.contains(CheckpointedFineTune.LOSSES),
                expected.names().toString());
        for (String name : expected.names()) {
            assertBitIdentical(
                    expected.get(name).data(), resumed.get(name).data(), name); // weights and per-step losses
        }
        assertBitIdentical(
                expected.get(CheckpointedFineTune.LOSSES).data(), last.losses(), "checkpointed per-step losses");
        try (var files = Files.list(dir)) {
            System.out.printf(
                    "%d checkpoint reads while children ran, none torn; %d temporary files left by kills mid-write; "
                            + "reference run %.1f s (%.0f ms per step)%n",
                    watcher.reads.get(),
                    files.filter(f -> f.getFileName().toString().contains(".tmp-"))
                            .count(),
                    referenceSeconds,
                    stepMillis);
        }
    }

    private static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; ++i) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: uninterrupted " + expected[i] + ", resumed " + actual[i]);
            }
        }
    }

    /** Reads the checkpoint over and over while children run and write it; records the first broken read. */
    private static final class CheckpointWatcher implements Runnable {
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicInteger reads = new AtomicInteger();
        private final Path file;
        private final Thread thread = new Thread(this, "checkpoint-watcher");
        private volatile boolean stop;

        CheckpointWatcher(Path file) {
            this.file = file;
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }

        @Override
        public void run() {
            while (!stop && failure.get() == null) {
                if (FineTuneCheckpoint.exists(file)) {
                    try {
                        FineTuneCheckpoint c = FineTuneCheckpoint.load(file);
                        if (c.step() % CheckpointedFineTune.CHECKPOINT_EVERY != 0 || c.step() == 0) {
                            failure.set("checkpoint at unsaved step " + c.step());
                        }
                        reads.incrementAndGet();
                    } catch (Exception e) {
                        failure.set(e.toString());
                    }
                }
                try {
                    Thread.sleep(15);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Runs a child unpaced (stdin at EOF) to its end; returns its stdout lines, the last being "done". */
    private static List<String> runToEnd(String checkpoint, Path result, Path stderr) throws Exception {
        Process child = start(checkpoint, result, stderr);
        child.getOutputStream().close();
        List<String> lines;
        try (BufferedReader out = reader(child)) {
            lines = out.lines().toList();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, child.exitValue(), "child failed: " + lines + "\nstderr: " + Files.readString(stderr));
        assertEquals("done", lines.get(lines.size() - 1), lines.toString());
        return lines;
    }

    /** Mean seconds per step from the first and last "fine-tune step N/T (...) ... S s" lines. */
    private static double stepSeconds(List<String> lines) {
        List<String> steps =
                lines.stream().filter(l -> l.startsWith("fine-tune step ")).toList();
        return elapsedSeconds(steps.get(steps.size() - 1)) / steps.size();
    }

    /** S of "fine-tune step N/T (epoch E) loss L lr R S s": seconds since this child's fine-tune started. */
    private static double elapsedSeconds(String stepLine) {
        String[] words = stepLine.split(" ");
        return Double.parseDouble(words[words.length - 2]);
    }

    private static Process start(Path checkpoint, Path result, Path stderr) throws IOException {
        return start(checkpoint.toString(), result, stderr);
    }

    private static Process start(String checkpoint, Path result, Path stderr) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "--add-opens",
                "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "-Xss4m",
                "-Xmx1g"));
        String shared = System.getProperty(DataDirs.PROPERTY);
        if (shared != null) command.add("-D" + DataDirs.PROPERTY + "=" + shared);
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                CheckpointedFineTune.class.getName(),
                checkpoint,
                result.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        // libgomp's default active wait made each step ~30x slower (80 ms -> 2.9 s) on a loaded 2-core machine,
        // its idle OpenMP workers spinning against the training thread; passive waiting gives the same bits.
        builder.environment().put("OMP_WAIT_POLICY", "passive");
        return builder.start();
    }

    private static String resumedLine(int step, Path checkpoint) {
        return "resumed fine-tuning at step " + step + " of " + CheckpointedFineTune.STEPS + " from " + checkpoint;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String stderr(Path dir, int kill) {
        Path f = dir.resolve(kill < 0 ? "stderr-final.txt" : "stderr-" + kill + ".txt");
        try {
            return "\nstderr: " + Files.readString(f);
        } catch (IOException e) {
            return "\nstderr unreadable: " + e;
        }
    }

    private static int firstStep(List<String> lines) {
        for (int i = 0; i < lines.size(); ++i) if (lines.get(i).startsWith("fine-tune step ")) return i;
        throw new AssertionError("no step line in " + lines);
    }

    /** N of "fine-tune step N/total ...". */
    private static int stepOf(String line) {
        return Integer.parseInt(line.substring("fine-tune step ".length(), line.indexOf('/')));
    }
}
