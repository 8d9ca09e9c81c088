package org.emodir.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Downloads and extracts the official CIFAR binary archives. The archive is fetched into
 * {@code <name>.part} (resumed with an HTTP Range request when a previous transfer broke off),
 * verified by MD5, then renamed; extraction goes to a temp folder that is renamed into place, so a
 * failure never leaves a half-written dataset folder behind.
 */
public final class CifarDownloader {
    /** An archive: file name under the base URL, its MD5, and the folder it extracts to. */
    public record Archive(String fileName, String md5, String folderName) {}

    public static final URI OFFICIAL_BASE = URI.create("https://www.cs.toronto.edu/~kriz/");
    public static final Archive CIFAR10 =
            new Archive("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530", CifarFormat.CIFAR10.folderName());
    public static final Archive CIFAR100 = new Archive(
            "cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8", CifarFormat.CIFAR100.folderName());

    private final URI base;

    public CifarDownloader() {
        this(OFFICIAL_BASE);
    }

    /** @param base folder URL the archive names are resolved against (configurable for tests/mirrors) */
    public CifarDownloader(URI base) {
        String s = Objects.requireNonNull(base).toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
    }

    /** Returns {@code dir/<folderName>}, downloading and extracting the archive first if it is missing. */
    public Path ensure(Archive archive, Path dir) throws IOException {
        Path folder = dir.resolve(archive.folderName());
        if (Files.isDirectory(folder)) {
            return folder;
        }
        Path file = download(archive, dir);
        Path tmp = Files.createTempDirectory(dir, ".extract-");
        try {
            TarGzExtractor.extract(file, tmp);
            Path extracted = tmp.resolve(archive.folderName());
            if (!Files.isDirectory(extracted)) {
                throw new IOException(file + ": archive has no top-level folder " + archive.folderName());
            }
            Files.move(extracted, folder, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(tmp);
        }
        return folder;
    }

    /** Returns {@code dir/<fileName>} with a verified checksum, fetching (or resuming) it if needed. */
    public Path download(Archive archive, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(archive.fileName());
        if (Files.isRegularFile(file) && md5(file).equals(archive.md5())) {
            return file;
        }
        Path part = dir.resolve(archive.fileName() + ".part");
        fetch(base.resolve(archive.fileName()), part);
        String actual = md5(part);
        if (!actual.equalsIgnoreCase(archive.md5())) {
            Files.delete(part);
            throw new IOException(archive.fileName() + ": checksum mismatch: MD5 " + actual + ", expected "
                    + archive.md5() + " (download deleted)");
        }
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static void fetch(URI uri, Path part) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpURLConnection conn = (HttpURLConnection) uri.toURL().openConnection();
        conn.setConnectTimeout(30_000);
        conn.setReadTimeout(60_000);
        if (have > 0) {
            conn.setRequestProperty("Range", "bytes=" + have + "-");
        }
        int status = conn.getResponseCode();
        boolean append;
        if (status == HttpURLConnection.HTTP_PARTIAL && have > 0) {
            append = true;
        } else if (status == HttpURLConnection.HTTP_OK) {
            append = false; // server ignored the range: start over
            have = 0;
        } else if (status == 416 && have > 0) {
            conn.disconnect();
            return; // range past the end: the part file is already complete; the checksum decides
        } else {
            conn.disconnect();
            throw new IOException(uri + ": HTTP " + status);
        }
        long expected = conn.getContentLengthLong();
        long got = 0;
        try (InputStream in = conn.getInputStream();
                OutputStream out = Files.newOutputStream(
                        part,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) >= 0) {
                out.write(buf, 0, r);
                got += r;
            }
        } catch (IOException e) {
            throw new IOException(
                    uri + ": transfer broke off after " + (have + got) + " bytes (kept in " + part + " to resume): "
                            + e.getMessage(),
                    e);
        }
        if (expected >= 0 && got != expected) {
            throw new IOException(uri + ": truncated transfer: got " + got + " of " + expected + " bytes (kept in "
                    + part + " to resume)");
        }
    }

    static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) >= 0) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
