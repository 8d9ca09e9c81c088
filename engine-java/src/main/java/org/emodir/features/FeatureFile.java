package org.emodir.features;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A file of a {@link FeatureCache}: the labels and, per cut, the features of every image (float32 or bfloat16, the
 * header's dtype), at 64-bit offsets. Layout (little endian; the values in native order, which the header's version
 * pins to little endian):
 *
 * <pre>
 *  0 long   magic "EMOFEAT1" (written last)
 *  8 int    version
 * 12 int    images
 * 16 int    cuts
 * 20 int    dtype ({@link FeatureStorage} code: 0 = float32, 1 = bfloat16)
 * 24 byte[32] SHA-256 of the inputs ({@link FeatureInputs})
 * 56 long   file length
 * 64 long   labels offset (int32[images])
 * 72 per cut: int block, int C, int H, int W, long offset (page aligned)
 * </pre>
 *
 * Written to a temp file, forced, magic last, then atomically renamed: an interrupted build never looks valid.
 */
final class FeatureFile {
    static final int VERSION = 1;
    private static final long MAGIC_VALUE = ByteBuffer.wrap(
                    "EMOFEAT1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .order(ByteOrder.LITTLE_ENDIAN)
            .getLong();
    private static final int FIXED = 72;
    private static final int PER_CUT = 24;
    private static final long PAGE = 4096;

    /** What a file holds, as its header says. */
    record Layout(int images, int[] cuts, int[][] shapes, byte[] inputs, FeatureStorage storage) {
        int[] floatsPerImage() {
            int[] f = new int[cuts.length];
            for (int i = 0; i < f.length; i++) f[i] = shapes[i][0] * shapes[i][1] * shapes[i][2];
            return f;
        }

        long labelsOffset() {
            return align(FIXED + (long) PER_CUT * cuts.length, 64);
        }

        long[] offsets() {
            long[] o = new long[cuts.length];
            long at = align(labelsOffset() + 4L * images, PAGE);
            int[] f = floatsPerImage();
            for (int i = 0; i < o.length; i++) {
                o[i] = at;
                at = align(at + (long) images * f[i] * storage.bytes(), PAGE);
            }
            return o;
        }

        long length() {
            long[] o = offsets();
            int last = o.length - 1;
            return o[last] + (long) images * floatsPerImage()[last] * storage.bytes();
        }
    }

    private FeatureFile() {}

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    /** The layout in {@code file}'s header, or throws {@link Stale} saying why the file cannot be used. */
    static Layout read(Path file) throws Stale {
        if (!Files.isRegularFile(file)) throw new Stale(file + ": missing");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < FIXED) throw new Stale(file + ": " + size + " bytes, shorter than the header");
            ByteBuffer h = ByteBuffer.allocate(FIXED).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            if (h.getLong(0) != MAGIC_VALUE)
                throw new Stale(file + ": no EMOFEAT1 magic (incomplete or not a feature file)");
            if (h.getInt(8) != VERSION) throw new Stale(file + ": version " + h.getInt(8) + ", expected " + VERSION);
            int images = h.getInt(12), cuts = h.getInt(16);
            if (images <= 0 || cuts <= 0 || cuts > 4096) {
                throw new Stale(file + ": header says " + images + " images at " + cuts + " cuts");
            }
            FeatureStorage storage = FeatureStorage.ofCode(h.getInt(20));
            if (storage == null) {
                throw new Stale(file + ": dtype " + h.getInt(20) + " (0 = float32 and 1 = bfloat16 are read)");
            }
            byte[] inputs = new byte[32];
            h.get(24, inputs);
            ByteBuffer c = ByteBuffer.allocate(PER_CUT * cuts).order(ByteOrder.LITTLE_ENDIAN);
            if (size < FIXED + (long) PER_CUT * cuts) throw new Stale(file + ": shorter than its cut table");
            readFully(ch, c, FIXED);
            int[] blocks = new int[cuts];
            int[][] shapes = new int[cuts][3];
            long[] offsets = new long[cuts];
            for (int i = 0; i < cuts; i++) {
                blocks[i] = c.getInt(i * PER_CUT);
                for (int d = 0; d < 3; d++) shapes[i][d] = c.getInt(i * PER_CUT + 4 + 4 * d);
                offsets[i] = c.getLong(i * PER_CUT + 16);
                if (shapes[i][0] <= 0 || shapes[i][1] <= 0 || shapes[i][2] <= 0) {
                    throw new Stale(file + ": cut " + blocks[i] + " has shape " + Arrays.toString(shapes[i]));
                }
            }
            Layout layout = new Layout(images, blocks, shapes, inputs, storage);
            if (!Arrays.equals(layout.offsets(), offsets) || h.getLong(64) != layout.labelsOffset()) {
                throw new Stale(file + ": offsets in the header do not follow the layout");
            }
            if (h.getLong(56) != layout.length() || size != layout.length()) {
                throw new Stale(file + ": " + size + " bytes on disk, header says " + h.getLong(56) + ", the layout of "
                        + images + " images needs " + layout.length() + " (cut short or overwritten)");
            }
            return layout;
        } catch (IOException e) {
            throw new Stale(file + ": unreadable: " + e.getMessage());
        }
    }

    /**
     * Why {@code file} does not hold features of {@code inputs} for {@code images} images at {@code cuts} stored as
     * {@code storage}, or null.
     */
    static String staleReason(Path file, byte[] inputs, int images, int[] cuts, FeatureStorage storage) {
        try {
            Layout l = read(file);
            if (l.storage() != storage)
                return file + ": stored as " + l.storage().label() + ", " + storage.label() + " wanted";
            if (l.images() != images) return file + ": holds " + l.images() + " images, " + images + " wanted";
            if (!Arrays.equals(l.cuts(), cuts)) {
                return file + ": holds cuts " + Arrays.toString(l.cuts()) + ", " + Arrays.toString(cuts) + " wanted";
            }
            if (!Arrays.equals(l.inputs(), inputs)) {
                return file + ": made from other inputs (model, weights, images or cuts): checksum "
                        + HexFormat.of().formatHex(l.inputs(), 0, 8) + "..., now "
                        + HexFormat.of().formatHex(inputs, 0, 8) + "...";
            }
            return null;
        } catch (Stale e) {
            return e.getMessage();
        }
    }

    /** Maps a valid file read-only, and its labels. */
    static FeatureCache.Storage open(Path file, long segmentBytes) throws Stale {
        Layout l = read(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int per = FeatureSegments.imagesPerSegment(l.images(), l.floatsPerImage(), segmentBytes);
            FeatureSegments seg = FeatureSegments.map(
                    ch, FileChannel.MapMode.READ_ONLY, l.offsets(), l.images(), per, l.floatsPerImage(), l.storage());
            ByteBuffer lb = ByteBuffer.allocate(4 * l.images()).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lb, l.labelsOffset());
            int[] labels = new int[l.images()];
            lb.asIntBuffer().get(labels);
            return new FeatureCache.Storage(l.cuts(), l.shapes(), seg, labels);
        } catch (IOException e) {
            throw new Stale(file + ": cannot map: " + e.getMessage());
        }
    }

    /** A feature file being written: fill {@link #segments()}, then {@link #commit(int[])}. */
    static final class Writer implements AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final Layout layout;
        private final FileChannel ch;
        private final FeatureSegments segments;
        private boolean committed;

        Writer(Path file, Layout layout, long segmentBytes) throws IOException {
            this.file = file;
            this.layout = layout;
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            this.tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            this.ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            int per = FeatureSegments.imagesPerSegment(layout.images(), layout.floatsPerImage(), segmentBytes);
            this.segments = FeatureSegments.map(
                    ch,
                    FileChannel.MapMode.READ_WRITE,
                    layout.offsets(),
                    layout.images(),
                    per,
                    layout.floatsPerImage(),
                    layout.storage());
        }

        FeatureSegments segments() {
            return segments;
        }

        /** Where the file is once committed. */
        Path file() {
            return file;
        }

        /** Writes labels and header, forces everything to disk, writes the magic, and renames over {@code file}. */
        void commit(int[] labels) throws IOException {
            ByteBuffer lb = ByteBuffer.allocate(4 * labels.length).order(ByteOrder.LITTLE_ENDIAN);
            lb.asIntBuffer().put(labels);
            writeFully(ch, lb, layout.labelsOffset());
            int cuts = layout.cuts().length;
            ByteBuffer h = ByteBuffer.allocate(FIXED + PER_CUT * cuts).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(8, VERSION)
                    .putInt(12, layout.images())
                    .putInt(16, cuts)
                    .putInt(20, layout.storage().code());
            h.put(24, layout.inputs());
            h.putLong(56, layout.length()).putLong(64, layout.labelsOffset());
            long[] offsets = layout.offsets();
            for (int i = 0; i < cuts; i++) {
                int at = FIXED + i * PER_CUT;
                h.putInt(at, layout.cuts()[i]);
                for (int d = 0; d < 3; d++) h.putInt(at + 4 + 4 * d, layout.shapes()[i][d]);
                h.putLong(at + 16, offsets[i]);
            }
            writeFully(ch, h, 0);
            if (ch.size() < layout.length()) ch.truncate(layout.length()); // never: the mappings grew it
            for (int i = 0; i < segments.segments(); i++) {
                for (int c = 0; c < cuts; c++) {
                    if (segments.segment(c, i).byteBuffer() instanceof MappedByteBuffer m) m.force();
                }
            }
            ch.force(true);
            ByteBuffer magic =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, MAGIC_VALUE);
            writeFully(ch, magic, 0); // only after every feature is on disk
            ch.force(true);
            ch.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (ch.isOpen()) ch.close();
            if (!committed) Files.deleteIfExists(tmp);
        }
    }

    /** Why a feature file cannot be used: the message names the file. */
    static final class Stale extends Exception {
        Stale(String message) {
            super(message);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        b.clear();
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) throw new IOException("unexpected end of file at " + (at + b.position()));
        }
        b.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        b.clear();
        while (b.hasRemaining()) ch.write(b, at + b.position());
    }
}
