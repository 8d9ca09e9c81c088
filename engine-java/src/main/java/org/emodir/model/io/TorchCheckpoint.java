package org.emodir.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.emodir.run.AtomicFiles;

/**
 * PyTorch's zip checkpoint format (torch.save since 1.6): {@code <archive>/data.pkl} pickles the
 * state dict, each tensor storage is the raw little-endian record {@code <archive>/data/<key>},
 * and {@code <archive>/version} holds the format version.
 */
public final class TorchCheckpoint {
    static final String FORMAT_VERSION = "3\n";
    /** data.pkl of a state dict is a few bytes per tensor; anything this large is not one. */
    private static final long MAX_PICKLE_BYTES = 100L << 20;

    private TorchCheckpoint() {}

    /** Reads a state dict (or a {@code {"state_dict": ...}} wrapper) without executing any pickled code. */
    public static StateDict read(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new WeightsException(file + ": not a readable PyTorch zip checkpoint (" + e.getMessage() + ")", e);
        }
        try (zip) {
            String prefix = archivePrefix(zip, file);
            checkByteOrder(zip, prefix, file);
            Map<String, ByteBuffer> storages = new HashMap<>();
            byte[] pickle = readEntry(zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES, file);
            Object root = RestrictedUnpickler.load(pickle, file + " (data.pkl)", pid -> StorageRef.of(pid, file));
            Map<?, ?> dict = unwrap(root, file);
            StateDict out = new StateDict();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String name))
                    throw new WeightsException(file + ": state dict key " + e.getKey() + " is not a string");
                if (!(e.getValue() instanceof RestrictedUnpickler.TensorView view)) {
                    throw new WeightsException(file + ": entry '" + name + "' is not a tensor");
                }
                if (!out.putIfAbsent(
                        new NamedTensor(name, view.size(), tensorData(zip, prefix, view, name, storages, file)))) {
                    throw new WeightsException(
                            file + ": tensor '" + name + "' duplicates tensor '" + StateDict.canonicalName(name) + "'");
                }
            }
            return out;
        } catch (IOException e) {
            // The file opened as a zip, so a failure while reading its records means it is corrupt or truncated.
            throw new WeightsException(file + ": corrupt zip record (" + e + ")", e);
        }
    }

    /** Writes a float32 state dict that {@code torch.load} reads back as an OrderedDict of tensors. */
    public static void write(Path file, StateDict dict) throws IOException {
        String archive = archiveName(file);
        byte[] pickle = TorchPickleWriter.stateDict(dict);
        AtomicFiles.write(file, out -> {
            AlignedZipWriter zip = new AlignedZipWriter(out);
            zip.add(archive + "/data.pkl", pickle);
            zip.add(archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int key = 0;
            for (NamedTensor t : dict.asMap().values()) {
                zip.add(archive + "/data/" + key++, LittleEndianFloats.encode(t.data()));
            }
            zip.add(archive + "/version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    /** torch names the top folder after the file; keep it to characters every zip tool accepts. */
    static String archiveName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9_.-]", "_");
        return stem.isEmpty() ? "archive" : stem;
    }

    /** A storage as named by a persistent id ('storage', torch.XStorage, key, location, numel). */
    record StorageRef(DType dtype, String key, long numel) {
        static StorageRef of(Object pid, Path file) {
            if (!(pid instanceof Object[] t)
                    || t.length != 5
                    || !"storage".equals(t[0])
                    || !(t[1] instanceof RestrictedUnpickler.Global g)
                    || !(t[2] instanceof String key)
                    || !(t[4] instanceof Long n)) {
                throw new WeightsException(
                        file + ": unexpected persistent id of type " + RestrictedUnpickler.describe(pid)
                                + " (torch.save writes ('storage', torch.<Type>Storage, key, location, numel))");
            }
            DType dtype = DType.ofTorchStorage(g.name());
            if (dtype == null || !g.module().equals("torch"))
                throw new WeightsException(file + ": unsupported storage " + g.qualified());
            if (n < 0) throw new WeightsException(file + ": storage " + key + " has negative size " + n);
            return new StorageRef(dtype, key, n);
        }
    }

    private static float[] tensorData(
            ZipFile zip,
            String prefix,
            RestrictedUnpickler.TensorView view,
            String name,
            Map<String, ByteBuffer> storages,
            Path file)
            throws IOException {
        if (!(view.storage() instanceof StorageRef ref))
            throw new WeightsException(file + ": tensor '" + name + "' has no storage");
        long numel;
        try {
            numel = NamedTensor.numel(view.size());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new WeightsException(
                    file + ": tensor '" + name + "' has invalid size " + Arrays.toString(view.size()));
        }
        checkContiguous(view, name, file);
        if (view.offset() < 0 || view.offset() > ref.numel() || numel > ref.numel() - view.offset()) {
            throw new WeightsException(file + ": tensor '" + name + "' of size " + Arrays.toString(view.size())
                    + " at offset " + view.offset() + " runs past its storage of " + ref.numel() + " elements");
        }
        ByteBuffer bytes = storages.get(ref.key());
        if (bytes == null) {
            long expected = ref.numel() > Long.MAX_VALUE / ref.dtype().bytes ? -1 : ref.numel() * ref.dtype().bytes;
            ZipEntry entry = zip.getEntry(prefix + "data/" + ref.key());
            if (entry == null)
                throw new WeightsException(
                        file + ": tensor '" + name + "': storage record data/" + ref.key() + " is missing");
            if (entry.getSize() != expected) {
                throw new WeightsException(file + ": tensor '" + name + "': storage data/" + ref.key() + " has "
                        + entry.getSize() + " bytes but " + ref.numel() + " x " + ref.dtype() + " needs " + expected);
            }
            bytes = ByteBuffer.wrap(readEntry(zip, entry, expected, file));
            storages.put(ref.key(), bytes);
        }
        return ref.dtype().decode(bytes.position((int) (view.offset() * ref.dtype().bytes)), (int) numel);
    }

    /** Only row-major tensors are supported; a dimension of size 1 may carry any stride, as in torch. */
    private static void checkContiguous(RestrictedUnpickler.TensorView view, String name, Path file) {
        long[] size = view.size();
        long[] stride = view.stride();
        if (stride.length != size.length) {
            throw new WeightsException(
                    file + ": tensor '" + name + "' has " + size.length + " sizes but " + stride.length + " strides");
        }
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                throw new WeightsException(
                        file + ": tensor '" + name + "' is not contiguous (size " + Arrays.toString(size) + ", stride "
                                + Arrays.toString(stride) + "); save it with .contiguous()");
            }
            expected *= size[i];
        }
    }

    private static Map<?, ?> unwrap(Object root, Path file) {
        if (!(root instanceof Map<?, ?> map)) throw new WeightsException(file + ": data.pkl does not hold a dict");
        if (map.get("state_dict") instanceof Map<?, ?> inner) return inner; // legacy {"state_dict": ..., "epoch": ...}
        return map;
    }

    /** The folder holding data.pkl; torch puts every record under one top-level folder. */
    private static String archivePrefix(ZipFile zip, Path file) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) return name.substring(0, slash + 1);
        }
        throw new WeightsException(file + ": zip has no <archive>/data.pkl, so it is not a torch.save checkpoint");
    }

    private static void checkByteOrder(ZipFile zip, String prefix, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) return; // written before torch 2.1: always little-endian
        String order = new String(readEntry(zip, entry, 16, file), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little"))
            throw new WeightsException(file + ": byteorder '" + order + "' is not supported (only little)");
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, long maxBytes, Path file) throws IOException {
        if (entry == null) throw new WeightsException(file + ": missing zip record");
        if (entry.getSize() > maxBytes || entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new WeightsException(
                    file + ": record " + entry.getName() + " has " + entry.getSize() + " bytes, limit " + maxBytes);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            // readNBytes grows its buffer as bytes arrive, so a forged size cannot allocate more than the file holds.
            byte[] b = in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8));
            if (entry.getSize() >= 0 && b.length != entry.getSize()) {
                throw new WeightsException(file + ": record " + entry.getName() + " is truncated (" + b.length + " of "
                        + entry.getSize() + " bytes)");
            }
            return b;
        }
    }
}
