package org.emodir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/emodir} resumes a {@code prune}/{@code bench} whose JVM aborted (exit 134), at most {@code
 * EMODIR_CRASH_RETRIES} times, and not other commands. The abort is real: the launcher runs ({@code EMODIR_JAR}) a
 * jar whose main fills the heap, with {@code -XX:+CrashOnOutOfMemoryError}, so every attempt dies the way a native
 * crash does (the engine jar is not built yet when the tests run).
 */
class LauncherRetryTest {
    /** The jar's main: fills a small heap. */
    public static final class FillHeap {
        public static void main(String[] args) {
            List<long[]> hold = new java.util.ArrayList<>();
            while (true) hold.add(new long[1 << 16]);
        }
    }

    private static Path fillHeapJar(Path dir) throws IOException {
        Path jar = dir.resolve("fill-heap.jar");
        String entry = FillHeap.class.getName().replace('.', '/') + ".class";
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, FillHeap.class.getName());
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m);
                var in = FillHeap.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new java.util.jar.JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static final Path LAUNCHER =
            Path.of("").toAbsolutePath().getParent().resolve("bin").resolve("emodir");

    private static Result launch(Path dir, String retries, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment()
                .put(
                        "EMODIR_JAVA_OPTS",
                        "-Xmx16m -XX:+CrashOnOutOfMemoryError -XX:ErrorFile=" + dir.resolve("hs_err_%p.log"));
        pb.environment().put("EMODIR_CRASH_RETRIES", retries);
        pb.environment().put("EMODIR_JAR", fillHeapJar(dir).toString());
        pb.directory(dir.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Result(p.exitValue(), out);
    }

    private record Result(int exit, String output) {
        long retries() {
            return output.lines()
                    .filter(l -> l.contains("resuming from the checkpoints"))
                    .count();
        }
    }

    @Test
    void abortedPruneIsRetriedAsOftenAsAllowed(@TempDir Path dir) throws Exception {
        assertTrue(Files.isRegularFile(LAUNCHER), LAUNCHER.toString());
        Result twice = launch(dir, "2", "prune", "--out", dir.resolve("run").toString(), "--force");
        assertEquals(134, twice.exit(), twice.output());
        assertEquals(2, twice.retries(), twice.output());
        assertTrue(twice.output().contains("retry 2 of 2"), twice.output());
        Result off = launch(dir, "0", "prune", "--out", dir.resolve("run").toString());
        assertEquals(134, off.exit(), off.output());
        assertEquals(0, off.retries(), off.output());
        Result info = launch(dir, "2", "info", "--model", "resnet20");
        assertEquals(134, info.exit(), info.output());
        assertEquals(0, info.retries(), "only prune and bench are retried: " + info.output());
    }
}
