package org.emodir.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.emodir.run.AtomicFiles;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of
 * the header), then the raw little-endian data with no holes or overlaps.
 */
public final class SafeTensors {
    /** Larger headers are forged or broken; refusing them keeps a bad length from allocating gigabytes. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    static final String METADATA_KEY = "__metadata__";
    private static final int LENGTH_PREFIX_BYTES = 8;
    /** The reference implementation pads the header with spaces so the data starts 8-byte aligned. */
    private static final int HEADER_ALIGNMENT = 8;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // padding may only be whitespace

    private SafeTensors() {}

    /** The header's {@code __metadata__} string map (empty when absent); checks the header like {@link #read}. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            long headerBytes = fileSize < LENGTH_PREFIX_BYTES
                    ? -1
                    : readFully(channel, 0, LENGTH_PREFIX_BYTES)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong(0);
            if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > fileSize - LENGTH_PREFIX_BYTES) {
                throw error(
                        file, "not a safetensors file: header length " + headerBytes + " for " + fileSize + " bytes");
            }
            JsonNode meta = JSON.readTree(readFully(channel, LENGTH_PREFIX_BYTES, (int) headerBytes)
                            .array())
                    .path(METADATA_KEY);
            Map<String, String> out = new java.util.LinkedHashMap<>();
            meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
    }

    /** Reads every tensor (converted to float32) in file order. */
    public static StateDict read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < LENGTH_PREFIX_BYTES) {
                throw error(file, "file has " + fileSize + " bytes, too short for the 8-byte header length");
            }
            long headerBytes = readFully(channel, 0, LENGTH_PREFIX_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .getLong(0);
            if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > fileSize - LENGTH_PREFIX_BYTES) {
                throw error(
                        file,
                        "header length " + Long.toUnsignedString(headerBytes) + " is impossible for a file of "
                                + fileSize + " bytes (limit " + MAX_HEADER_BYTES + ")");
            }
            long dataStart = LENGTH_PREFIX_BYTES + headerBytes;
            List<Entry> entries = parseHeader(file, readFully(channel, LENGTH_PREFIX_BYTES, (int) headerBytes));
            long dataBytes = fileSize - dataStart;
            checkLayout(file, entries, dataBytes);
            // One mapping for the whole data section; only beyond 2 GB (one MappedByteBuffer's limit) map per tensor.
            ByteBuffer all = dataBytes <= Integer.MAX_VALUE
                    ? channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataBytes)
                    : null;
            StateDict dict = new StateDict();
            for (Entry e : entries) {
                int count = (int) ((e.end - e.begin) / e.dtype.bytes);
                ByteBuffer bytes = all != null
                        ? all.slice((int) e.begin, (int) (e.end - e.begin))
                        : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, e.end - e.begin);
                if (!dict.putIfAbsent(new NamedTensor(e.name, e.shape, e.dtype.decode(bytes, count)))) {
                    throw error(file, e.name, "duplicates tensor '" + StateDict.canonicalName(e.name) + "'");
                }
            }
            return dict;
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) throw new IOException("file shrank while reading");
        }
        return buf.flip();
    }

    /** Writes every tensor as F32, atomically; {@code metadata} goes to {@code __metadata__} (may be empty). */
    public static void write(Path file, StateDict dict, Map<String, String> metadata) throws IOException {
        byte[] header = headerJson(dict, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(LENGTH_PREFIX_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, header.length);
            out.write(length.array());
            out.write(header);
            for (NamedTensor t : dict.asMap().values()) {
                out.write(LittleEndianFloats.encode(t.data()));
            }
        });
    }

    private static byte[] headerJson(StateDict dict, Map<String, String> metadata) throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            // Sorted: Map.of iterates in a per-JVM order, and the same weights must give the same file.
            new java.util.TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NamedTensor> e : dict.asMap().entrySet()) {
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", DType.F32.name());
            ArrayNode shape = node.putArray("shape");
            for (long d : e.getValue().shape()) shape.add(d);
            long bytes = (long) e.getValue().data().length * Float.BYTES;
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        byte[] padded = Arrays.copyOf(json, (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static List<Entry> parseHeader(Path file, ByteBuffer header) {
        byte[] bytes = header.array();
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new WeightsException(file + ": malformed safetensors JSON header: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new WeightsException(file + ": unreadable safetensors JSON header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw error(file, "safetensors header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) continue;
            entries.add(parseEntry(file, field.getKey(), field.getValue()));
        }
        return entries;
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) {
        if (!node.isObject()) throw error(file, name, "header entry is not an object");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw error(file, name, "missing or non-string 'dtype'");
        DType dtype = DType.ofSafeTensors(dtypeNode.asText());
        if (dtype == null) {
            throw error(
                    file,
                    name,
                    "dtype " + dtypeNode.asText() + " is not supported (supported: " + Arrays.toString(DType.values())
                            + ")");
        }
        long[] shape = naturals(file, name, node.get("shape"), "shape", -1);
        long[] offsets = naturals(file, name, node.get("data_offsets"), "data_offsets", 2);
        if (offsets[1] < offsets[0]) {
            throw error(file, name, "data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(NamedTensor.numel(shape), dtype.bytes);
        } catch (ArithmeticException e) {
            throw error(file, name, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (expected != offsets[1] - offsets[0]) {
            throw error(
                    file,
                    name,
                    "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                            + " bytes but data_offsets " + Arrays.toString(offsets) + " hold "
                            + (offsets[1] - offsets[0]));
        }
        if (expected / dtype.bytes > Integer.MAX_VALUE - 8) {
            throw error(file, name, "shape " + Arrays.toString(shape) + " has more elements than a Java array holds");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers ({@code length} -1: any length). */
    private static long[] naturals(Path file, String name, JsonNode node, String field, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw error(
                    file,
                    name,
                    "'" + field + "' must be an array"
                            + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw error(file, name, "'" + field + "' holds " + v + ", not a non-negative integer");
            }
            out[i] = v.asLong();
        }
        return out;
    }

    /** The data must be covered exactly: sorted by offset, each tensor starts where the previous ended. */
    private static void checkLayout(Path file, List<Entry> entries, long dataBytes) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        for (Entry e : byOffset) {
            if (e.begin != expectedBegin) {
                throw error(
                        file,
                        e.name,
                        "data_offsets [" + e.begin + ", " + e.end + "] "
                                + (e.begin < expectedBegin ? "overlap the previous tensor" : "leave a hole")
                                + " (expected to start at "
                                + expectedBegin + ")");
            }
            if (e.end > dataBytes) {
                throw error(
                        file,
                        e.name,
                        "data_offsets [" + e.begin + ", " + e.end + "] run past the data section, which holds "
                                + dataBytes + " bytes (truncated file?)");
            }
            expectedBegin = e.end;
        }
        if (expectedBegin != dataBytes) {
            throw error(file, "tensors cover " + expectedBegin + " data bytes but the file holds " + dataBytes);
        }
    }

    private static WeightsException error(Path file, String message) {
        return new WeightsException(file + ": " + message);
    }

    private static WeightsException error(Path file, String tensor, String message) {
        return new WeightsException(file + ": tensor '" + tensor + "': " + message);
    }
}
