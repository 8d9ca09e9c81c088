package org.emodir.model.conv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ConvVerifier} checks in a child JVM ({@link ConvCheckServer}), started on the first check and kept
 * for the next ones. A check that kills or hangs the child counts as failed ({@link #CRASHED} errors) and the next
 * check starts a fresh child. The child uses this JVM's java and class path; its crash log goes to the temp dir.
 */
final class IsolatedChecker implements AutoCloseable {
    /** Error value reported for a check whose process died. */
    static final double CRASHED = Double.POSITIVE_INFINITY;

    private static final long TIMEOUT_SECONDS = 300;
    /** An idle child is stopped after this long: it holds a libtorch (about 250 MB) that a run rarely needs again. */
    private static final long IDLE_SECONDS = 5;

    private static final java.util.concurrent.ScheduledExecutorService REAPER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "emodir-convcheck-reaper");
                t.setDaemon(true);
                return t;
            });
    private java.util.concurrent.ScheduledFuture<?> reap;

    private Process process;
    private Writer toChild;
    private BufferedReader fromChild;
    private int crashes;

    synchronized ConvVerifier.Check check(ConvShape shape, ConvRoute route) {
        if (reap != null) reap.cancel(false);
        try {
            if (process == null || !process.isAlive()) start();
            toChild.write(route.id() + "\t" + shape.toLine() + "\n");
            toChild.flush();
            String reply = readLine();
            if (reply == null) return crashed();
            String[] f = reply.split(" ");
            if (f[0].equals("error"))
                throw new IllegalStateException("convolution check of " + route.id() + " on " + shape + ": " + reply);
            return new ConvVerifier.Check(
                    f[0].equals("ok"), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]));
        } catch (IOException e) {
            return crashed();
        } finally {
            reap = REAPER.schedule(this::close, IDLE_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Checks whose process died so far. */
    synchronized int crashes() {
        return crashes;
    }

    private ConvVerifier.Check crashed() {
        crashes++;
        close();
        return new ConvVerifier.Check(false, CRASHED, CRASHED, CRASHED);
    }

    private String readLine() throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = fromChild.readLine()) != null; ) {
                    if (l.startsWith(ConvCheckServer.PREFIX)) return l.substring(ConvCheckServer.PREFIX.length());
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void start() throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "emodir-convcheck-hs_err_%p.log"),
                "-cp",
                System.getProperty("java.class.path"),
                ConvCheckServer.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        // glibc fills fresh allocations with 0x7f bytes (3.4e38 as floats): a kernel that reads memory it never wrote
        // fails the check loudly instead of passing on a fresh process's zero pages.
        pb.environment().put("MALLOC_PERTURB_", "128");
        process = pb.start();
        toChild = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        fromChild = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String hello = readLine();
        if (!"ready".equals(hello)) {
            close();
            throw new IllegalStateException(
                    "the convolution check process did not start (" + String.join(" ", cmd.subList(0, 4)) + " ...)");
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroyForcibly();
            process = null;
        }
    }
}
