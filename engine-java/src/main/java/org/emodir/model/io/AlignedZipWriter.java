package org.emodir.model.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes uncompressed zip records whose data starts on a 64-byte boundary, as PyTorch's
 * PyTorchStreamWriter does (so torch.load can mmap them): the local header is padded with an
 * extra field tagged "FB".
 */
final class AlignedZipWriter {
    static final int ALIGNMENT = 64;
    private static final int LOCAL_HEADER_BYTES = 30;
    private static final int EXTRA_HEADER_BYTES = 4;
    /** A fixed DOS timestamp (2000-01-01) keeps output byte-identical across runs. */
    private static final long FIXED_TIME = 946684800000L;

    private final Counting counter;
    private final ZipOutputStream zip;

    AlignedZipWriter(OutputStream out) {
        this.counter = new Counting(out);
        this.zip = new ZipOutputStream(counter, StandardCharsets.UTF_8);
    }

    void add(String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        entry.setTime(FIXED_TIME);
        long beforePadding =
                counter.count + LOCAL_HEADER_BYTES + name.getBytes(StandardCharsets.UTF_8).length + EXTRA_HEADER_BYTES;
        int pad = (int) ((ALIGNMENT - beforePadding % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[EXTRA_HEADER_BYTES + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        entry.setExtra(extra);
        zip.putNextEntry(entry);
        if (counter.count % ALIGNMENT != 0) {
            throw new IllegalStateException("zip record " + name + " data landed at unaligned offset " + counter.count);
        }
        zip.write(data);
        zip.closeEntry();
    }

    void finish() throws IOException {
        zip.finish();
        zip.flush();
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
