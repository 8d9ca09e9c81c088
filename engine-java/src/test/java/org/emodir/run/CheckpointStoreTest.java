package org.emodir.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsAndKeepsPreviousGenerationAsBackup() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        assertTrue(store.load("population").isEmpty());
        store.save("population", bytes("gen1"));
        assertFalse(Files.exists(store.backup("population")), "no previous generation yet");
        store.save("population", bytes("gen2"));
        CheckpointStore.Checkpoint c = store.load("population").orElseThrow();
        assertArrayEquals(bytes("gen2"), c.data());
        assertFalse(c.fromBackup());
        assertArrayEquals(bytes("gen1"), CheckpointStore.read(store.backup("population")));
        assertEquals(CheckpointHeader.LENGTH + 4, Files.size(store.file("population")));
    }

    @Test
    void truncatedFileFallsBackToBackupAndIsNamed() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save("front", bytes("good old front"));
        store.save("front", bytes("new front, about to be damaged"));
        Path file = store.file("front");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 5);
        }
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStore.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("length"), e.getMessage());
        assertEquals(file, e.file());
        CheckpointStore.Checkpoint c = store.load("front").orElseThrow();
        assertTrue(c.fromBackup());
        assertEquals(store.backup("front"), c.source());
        assertArrayEquals(bytes("good old front"), c.data());
    }

    @Test
    void flippedByteIsCaughtByTheChecksum() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save("weights", bytes("0123456789"));
        Path file = store.file("weights");
        byte[] raw = Files.readAllBytes(file);
        raw[CheckpointHeader.LENGTH + 3] ^= 0x10;
        Files.write(file, raw);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.load("weights"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("CRC32"), e.getMessage());
    }

    @Test
    void corruptBackupIsReportedWithTheMainFile() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save("x", bytes("a"));
        store.save("x", bytes("b"));
        Files.write(store.file("x"), bytes("garbage that is long enough to hold a header"));
        Files.write(store.backup("x"), bytes("short"));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> store.load("x"));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(e.getSuppressed()[0].getMessage().contains(store.backup("x").toString()));
    }

    @Test
    void savingOverACorruptFileKeepsTheGoodBackup() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save("x", bytes("gen1"));
        store.save("x", bytes("gen2"));
        Files.write(store.file("x"), bytes("torn"));
        store.save("x", bytes("gen3"));
        assertArrayEquals(bytes("gen3"), store.load("x").orElseThrow().data());
        assertArrayEquals(
                bytes("gen1"), CheckpointStore.read(store.backup("x")), "corrupt gen2 never became the backup");
    }

    @Test
    void missingMainFileAfterACrashUsesBackup() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        store.save("x", bytes("gen1"));
        store.save("x", bytes("gen2"));
        Files.delete(store.file("x")); // as if the run died between the backup move and the new write
        assertArrayEquals(bytes("gen1"), store.load("x").orElseThrow().data());
    }

    @Test
    void phaseMarkers() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp);
        assertFalse(store.isDone("search"));
        assertEquals(Optional.empty(), store.phaseResult("search"));
        store.markDone("search", "{\"generations\":40}");
        assertTrue(store.isDone("search"));
        assertFalse(store.isDone("finetune"));
        assertEquals("{\"generations\":40}", store.phaseResult("search").orElseThrow());
    }

    @Test
    void rejectsNamesThatEscapeTheDirectory() {
        CheckpointStore store = new CheckpointStore(tmp);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> store.save("../evil", bytes("x")));
        assertTrue(e.getMessage().contains("../evil"));
    }
}
