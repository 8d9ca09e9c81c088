package org.emodir.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Minimal ustar/GNU tar reader over gzip: regular files, directories, GNU long names; other entry
 * types (links, pax headers) are skipped. Entries that would land outside the destination are refused.
 */
final class TarGzExtractor {
    private static final int BLOCK = 512;

    private TarGzExtractor() {}

    /** Extracts {@code archive} under {@code dest}; returns the number of regular files written. */
    public static int extract(Path archive, Path dest) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        int files = 0;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            long at = 0;
            while (true) {
                if (in.readNBytes(header, 0, BLOCK) != BLOCK) {
                    throw new EOFException(archive + ": tar ends inside a header at byte " + at);
                }
                at += BLOCK;
                if (isZero(header)) {
                    return files;
                }
                checkChecksum(archive, header, at - BLOCK);
                String name = longName != null ? longName : name(header);
                longName = null;
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                if (type == 'L') {
                    byte[] n = readExactly(in, size, archive, name);
                    longName = cString(n, 0, n.length);
                    skipPadding(in, size);
                } else if (type == '0' || type == '\0' || type == '7') {
                    Path target = safeResolve(root, name, archive);
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        copy(in, out, size, archive, name);
                    }
                    skipPadding(in, size);
                    files++;
                } else if (type == '5') {
                    Files.createDirectories(safeResolve(root, name, archive));
                    skip(in, size + padding(size));
                } else {
                    skip(in, size + padding(size));
                }
                at += size + padding(size);
            }
        }
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        String magic = cString(h, 257, 6);
        if (magic.startsWith("ustar")) {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static void checkChecksum(Path archive, byte[] h, long at) throws IOException {
        long stored = octal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        if (sum != stored) {
            throw new IOException(archive + ": corrupt tar header at byte " + at + " (checksum " + stored
                    + ", computed " + sum + ")");
        }
    }

    private static Path safeResolve(Path root, String name, Path archive) throws IOException {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException(archive + ": entry '" + name + "' would be written outside " + root);
        }
        return p;
    }

    private static long octal(byte[] h, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int b = h[i];
            if (b == 0 || b == ' ') {
                if (v != 0) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IllegalArgumentException("bad octal digit '" + (char) b + "' in tar header");
            }
            v = v * 8 + (b - '0');
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        skip(in, padding(size));
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    private static byte[] readExactly(InputStream in, long size, Path archive, String name) throws IOException {
        byte[] b = in.readNBytes((int) size);
        if (b.length != size) {
            throw new EOFException(archive + ": truncated entry '" + name + "'");
        }
        return b;
    }

    private static void copy(InputStream in, OutputStream out, long size, Path archive, String name)
            throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EOFException(
                        archive + ": truncated entry '" + name + "' (" + left + " of " + size + " bytes missing)");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }
}
