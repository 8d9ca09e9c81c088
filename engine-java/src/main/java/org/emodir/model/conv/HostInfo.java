package org.emodir.model.conv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.global.torch;

/**
 * What decides whether libtorch's oneDNN computes convolutions correctly here: the CPU, whether the hypervisor
 * exposes its cache sizes (oneDNN 3.7 reads hidden caches as 1 byte and its blocked reorders then drop data), and
 * the libtorch/oneDNN build. Convolution verdicts are cached per {@link #signature()}.
 */
public record HostInfo(
        String cpuModel,
        List<String> isa,
        boolean cacheSizesVisible,
        int processors,
        String libtorchVersion,
        String onednnVersion) {

    /** Instruction-set extensions worth reporting (from /proc/cpuinfo flags), in this order. */
    private static final List<String> REPORTED_ISA = List.of(
            "sse4_2",
            "avx",
            "avx2",
            "fma",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512_vnni",
            "avx512_bf16",
            "amx_tile",
            "amx_bf16");

    public static HostInfo detect() {
        String model = "unknown";
        List<String> isa = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (key.equals("model name") && model.equals("unknown")) model = value;
                if (key.equals("flags") && isa.isEmpty()) {
                    List<String> flags = List.of(value.split("\\s+"));
                    for (String f : REPORTED_ISA) if (flags.contains(f)) isa.add(f);
                }
            }
        } catch (IOException e) {
            model = "unknown (" + e.getMessage() + ")";
        }
        String config = torch.show_config().getString();
        return new HostInfo(
                model,
                List.copyOf(isa),
                cacheSizesVisible(Path.of("/sys/devices/system/cpu/cpu0/cache")),
                Runtime.getRuntime().availableProcessors(),
                find(config, "TORCH_VERSION=([^,\\s]+)"),
                find(config, "MKL-DNN v([0-9.]+)"));
    }

    /** True when sysfs lists at least one cache level with a size (what {@code lscpu -C} prints). */
    static boolean cacheSizesVisible(Path cacheDir) {
        if (!Files.isDirectory(cacheDir)) return false;
        try (var entries = Files.list(cacheDir)) {
            return entries.anyMatch(
                    p -> p.getFileName().toString().startsWith("index") && Files.isReadable(p.resolve("size")));
        } catch (IOException e) {
            return false;
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "unknown";
    }

    /** Short stable hash naming this host kind's verdict file. */
    public String signature() {
        String text = String.join(
                "|",
                cpuModel,
                String.join(",", isa),
                Boolean.toString(cacheSizesVisible),
                libtorchVersion,
                onednnVersion);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line for logs: CPU, cache visibility and library versions. */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "%s, %d processors, cache sizes %s, libtorch %s, oneDNN %s",
                cpuModel,
                processors,
                cacheSizesVisible ? "visible" : "HIDDEN",
                libtorchVersion,
                onednnVersion);
    }
}
