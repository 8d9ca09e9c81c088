package org.emodir.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.emodir.run.AtomicFiles;
import org.emodir.run.ProgressListener;

/**
 * Child JVM of {@link KillAtEveryCheckpointTest}: resumes the tiny run in {@code args[0]} and halts the JVM (no
 * shutdown hooks, no finally blocks: what a kill leaves) right after its {@code args[1]}-th new committed write
 * there. A write that leaves a file as it was when this JVM started is not new: it is no boundary a kill could fall
 * behind, and counting it would kill every child before it got further than its predecessor.
 */
public final class KilledRunMain {
    static final int HALTED = 86;

    private KilledRunMain() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]).toAbsolutePath();
        int haltAfter = Integer.parseInt(args[1]);
        Map<Path, String> before = digests(out);
        int[] writes = {0};
        AtomicFiles.afterCommit(target -> {
            Path t = target.toAbsolutePath();
            if (!t.startsWith(out) || digest(t).equals(before.get(t))) return;
            if (++writes[0] == haltAfter) {
                System.out.println("halt after " + out.relativize(target.toAbsolutePath()));
                System.out.flush();
                Runtime.getRuntime().halt(HALTED);
            }
        });
        new PruneJob(PruneJobTest.tiny(out).resume(true).build(), ProgressListener.SILENT).run();
        System.exit(0);
    }

    private static Map<Path, String> digests(Path dir) throws IOException {
        Map<Path, String> m = new HashMap<>();
        if (!Files.isDirectory(dir)) return m;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) m.put(p.toAbsolutePath(), digest(p));
        }
        return m;
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + file, e);
        }
    }
}
