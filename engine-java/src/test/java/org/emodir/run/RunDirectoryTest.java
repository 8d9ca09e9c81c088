package org.emodir.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void createsLayout() throws IOException {
        Path root = tmp.resolve("run1");
        try (RunDirectory run = RunDirectory.open(root, false)) {
            assertTrue(Files.isDirectory(run.checkpoints()));
            assertTrue(Files.isDirectory(run.fronts()));
            assertTrue(Files.isDirectory(run.pruned()));
            assertEquals(root.toAbsolutePath().resolve("report.json"), run.reportJson());
            assertEquals(root.toAbsolutePath().resolve("report.html"), run.reportHtml());
            assertFalse(run.isFinished());
        }
    }

    @Test
    void refusesFinishedRunUnlessForced() throws IOException {
        Path root = tmp.resolve("done");
        try (RunDirectory run = RunDirectory.open(root, false)) {
            AtomicFiles.writeString(run.reportJson(), "{}");
            AtomicFiles.writeString(run.reportHtml(), "<html></html>");
        }
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> RunDirectory.open(root, false));
        assertTrue(
                e.getMessage().contains("report.json")
                        && e.getMessage().contains(root.getFileName().toString()),
                e.getMessage());
        assertTrue(Files.exists(root.resolve("report.json")), "refusal must not touch the finished run");
        try (RunDirectory run = RunDirectory.open(root, true)) {
            assertFalse(run.isFinished(), "forced reuse no longer claims to be finished");
            assertFalse(Files.exists(run.reportHtml()));
        }
    }

    @Test
    void lockKeepsASecondRunOutInTheSameJvm() throws IOException {
        Path root = tmp.resolve("locked");
        try (RunDirectory first = RunDirectory.open(root, false)) {
            RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> RunDirectory.open(root, false));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        RunDirectory.open(root, false).close(); // released on close
    }

    @Test
    void lockKeepsASecondRunOutFromAnotherProcess() throws Exception {
        Path root = tmp.resolve("shared");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), root.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals(LockHolder.READY, out.readLine(), "child process failed to take the lock");
            RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> RunDirectory.open(root, false));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            holder.getOutputStream().close(); // child releases and exits
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "lock holder did not exit");
        } finally {
            holder.destroyForcibly();
        }
        RunDirectory.open(root, false).close();
    }

    @Test
    void refusesAFileInPlaceOfTheDirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> RunDirectory.open(file, false));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    /** Holds a run directory's lock until its stdin closes; used as a second process. */
    public static final class LockHolder {
        static final String READY = "locked";

        public static void main(String[] args) throws IOException {
            try (RunDirectory run = RunDirectory.open(Path.of(args[0]), false)) {
                System.out.println(READY);
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
        }
    }
}
