package org.emodir.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The output directory of one run, held under an exclusive lock for the run's lifetime.
 *
 * <pre>
 * root/
 *   .lock          lock file (FileChannel.tryLock), so two runs never share the directory
 *   checkpoints/   {@link CheckpointStore} blobs and phase markers
 *   fronts/        per-sub-network Pareto fronts
 *   pruned/        the pruned model
 *   report.json    written last: its presence means the run finished
 *   report.html
 * </pre>
 */
public final class RunDirectory implements AutoCloseable {
    public static final String LOCK_FILE = ".lock";
    public static final String REPORT_JSON = "report.json";
    public static final String REPORT_HTML = "report.html";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) a run directory.
     *
     * @param force reuse a directory that holds a finished run; its report files are removed so
     *              the directory no longer claims to be finished
     * @throws RunDirectoryException if a finished run is there and {@code force} is false, or
     *                               another run holds the lock
     */
    public static RunDirectory open(Path root, boolean force) throws IOException {
        Path dir = root.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new RunDirectoryException("run directory " + dir + " exists and is not a directory");
        }
        Files.createDirectories(dir);
        FileChannel channel =
                FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new RunDirectoryException(
                    "run directory " + dir + " is in use by another run (lock " + LOCK_FILE + " is held)");
        }
        RunDirectory run = new RunDirectory(dir, channel, lock);
        try {
            if (Files.exists(run.reportJson())) {
                if (!force) {
                    throw new RunDirectoryException("run directory " + dir + " holds a finished run (" + REPORT_JSON
                            + " present); choose another directory or force reuse");
                }
                Files.deleteIfExists(run.reportJson());
                Files.deleteIfExists(run.reportHtml());
                AtomicFiles.syncDirectory(dir);
            }
            Files.createDirectories(run.checkpoints());
            Files.createDirectories(run.fronts());
            Files.createDirectories(run.pruned());
        } catch (IOException | RuntimeException e) {
            run.close();
            throw e;
        }
        return run;
    }

    public Path root() {
        return root;
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path fronts() {
        return root.resolve("fronts");
    }

    public Path pruned() {
        return root.resolve("pruned");
    }

    public Path reportJson() {
        return root.resolve(REPORT_JSON);
    }

    public Path reportHtml() {
        return root.resolve(REPORT_HTML);
    }

    public boolean isFinished() {
        return Files.exists(reportJson());
    }

    public CheckpointStore checkpointStore() {
        return new CheckpointStore(checkpoints());
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
