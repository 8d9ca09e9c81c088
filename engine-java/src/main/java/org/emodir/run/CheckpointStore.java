package org.emodir.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Named checkpoint blobs in a directory, each written atomically with a checksummed header.
 *
 * <p>Saving moves the previous good version of a blob to {@code NAME.ckpt.bak} before the new
 * one is written; loading falls back to it when the current file is missing or corrupt, so a
 * crash or a damaged disk block costs at most one checkpoint generation.
 *
 * <p>Phase markers ({@link #markDone}) are checkpoints too, so a resumed run can tell which
 * phases finished and read back what they produced.
 */
public final class CheckpointStore {
    public static final String SUFFIX = ".ckpt";
    public static final String BACKUP_SUFFIX = ".bak";
    private static final String PHASE_PREFIX = "phase-";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    /** A loaded blob and where it came from. */
    public record Checkpoint(String name, byte[] data, Path source, boolean fromBackup) {}

    public void save(String name, byte[] data) throws IOException {
        Path file = file(name);
        Path backup = backup(name);
        if (Files.exists(file) && isValid(file)) {
            // Only a good previous version may replace the backup.
            Files.move(file, backup, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        byte[] header = new byte[CheckpointHeader.LENGTH];
        new CheckpointHeader().wrap(header).write(data.length, crc.getValue());
        AtomicFiles.write(file, out -> {
            out.write(header);
            out.write(data);
        });
    }

    /**
     * The latest good version of a blob; empty when it was never saved.
     *
     * @throws CorruptCheckpointException naming the file when neither it nor its backup is valid
     */
    public Optional<Checkpoint> load(String name) throws IOException {
        Path file = file(name);
        Path backup = backup(name);
        CorruptCheckpointException corrupt = null;
        if (Files.exists(file)) {
            try {
                return Optional.of(new Checkpoint(name, read(file), file, false));
            } catch (CorruptCheckpointException e) {
                corrupt = e;
            }
        }
        if (Files.exists(backup)) {
            try {
                return Optional.of(new Checkpoint(name, read(backup), backup, true));
            } catch (CorruptCheckpointException e) {
                if (corrupt == null) {
                    throw e;
                }
                corrupt.addSuppressed(e);
            }
        }
        if (corrupt != null) {
            throw corrupt;
        }
        return Optional.empty();
    }

    /** Reads and verifies one checkpoint file. */
    public static byte[] read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException(file, "file is missing");
        }
        if (all.length < CheckpointHeader.LENGTH) {
            throw new CorruptCheckpointException(
                    file, "truncated: " + all.length + " bytes, header needs " + CheckpointHeader.LENGTH);
        }
        CheckpointHeader header = new CheckpointHeader().wrap(all);
        if (header.magic() != CheckpointHeader.MAGIC) {
            throw new CorruptCheckpointException(
                    file, String.format("bad magic 0x%08x, expected 0x%08x", header.magic(), CheckpointHeader.MAGIC));
        }
        if (header.version() != CheckpointHeader.VERSION) {
            throw new CorruptCheckpointException(
                    file, "unsupported version " + header.version() + ", expected " + CheckpointHeader.VERSION);
        }
        long expected = header.payloadLength();
        long actual = all.length - CheckpointHeader.LENGTH;
        if (expected != actual) {
            throw new CorruptCheckpointException(file, "payload length " + actual + " bytes, header says " + expected);
        }
        CRC32 crc = new CRC32();
        crc.update(all, CheckpointHeader.LENGTH, (int) actual);
        if (crc.getValue() != header.crc32()) {
            throw new CorruptCheckpointException(
                    file,
                    String.format("CRC32 mismatch: computed %08x, header says %08x", crc.getValue(), header.crc32()));
        }
        byte[] payload = new byte[(int) actual];
        System.arraycopy(all, CheckpointHeader.LENGTH, payload, 0, payload.length);
        return payload;
    }

    /** Records that a phase finished, with its result as JSON text. */
    public void markDone(String phase, String json) throws IOException {
        save(PHASE_PREFIX + phase, json.getBytes(StandardCharsets.UTF_8));
    }

    public boolean isDone(String phase) throws IOException {
        return load(PHASE_PREFIX + phase).isPresent();
    }

    /** The JSON a finished phase recorded; empty when the phase has not finished. */
    public Optional<String> phaseResult(String phase) throws IOException {
        return load(PHASE_PREFIX + phase).map(c -> new String(c.data(), StandardCharsets.UTF_8));
    }

    public Path file(String name) {
        return dir.resolve(checkName(name) + SUFFIX);
    }

    public Path backup(String name) {
        return dir.resolve(checkName(name) + SUFFIX + BACKUP_SUFFIX);
    }

    private static boolean isValid(Path file) throws IOException {
        try {
            read(file);
            return true;
        } catch (CorruptCheckpointException e) {
            return false;
        }
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("checkpoint name '" + name + "' must match " + NAME.pattern());
        }
        return name;
    }
}
