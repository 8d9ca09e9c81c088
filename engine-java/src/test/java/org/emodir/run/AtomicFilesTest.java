package org.emodir.run;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplacesContent() throws IOException {
        Path target = dir.resolve("sub/report.txt");
        AtomicFiles.writeString(target, "first");
        assertEquals("first", Files.readString(target));
        AtomicFiles.writeString(target, "second, longer");
        assertEquals("second, longer", Files.readString(target));
        assertEquals(1, countFiles(target.getParent()), "no temporary file may remain");
    }

    @Test
    void failedWriteLeavesOldFileIntactAndNoTemporary() throws IOException {
        Path target = dir.resolve("weights.bin");
        AtomicFiles.writeString(target, "precious");
        IOException thrown = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(target, out -> {
                    out.write("partial garbage".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", thrown.getMessage());
        assertEquals("precious", Files.readString(target));
        assertEquals(1, countFiles(dir));
    }

    @Test
    void bodyMayCloseItsStream() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            out.write(new byte[] {1, 2, 3});
            out.close();
        });
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    private static long countFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }
}
