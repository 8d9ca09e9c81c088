package org.emodir.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch;
import org.emodir.engine.NativeLibraries;
import org.emodir.engine.binding.EmodirNative;
import org.emodir.model.TorchRuntime;
import org.emodir.model.conv.ConvRouter;
import org.emodir.model.conv.ConvShape;
import org.emodir.model.conv.HostInfo;
import org.emodir.model.conv.RoutingSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Which kind of host this is: CPU, cache visibility, libraries, whether libtorch's convolutions are right here, GPU. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description =
                "Report the host: CPU and ISA, cache-size visibility, threads, libtorch/oneDNN versions, a probe of "
                        + "libtorch's convolutions against an independent reference (how many are wrong and where they are routed), "
                        + "the native engine's kernel clone, CUDA.",
        footer = {"", "Examples:", "  emodir doctor", "  emodir doctor --json", "  emodir doctor --no-probe"})
final class DoctorCommand implements Callable<Integer> {
    /** Probe shapes (batch, in, out, size, kernel, stride, pad): odd pruned widths, the widths of the dense CIFAR ResNets, ResNet-50 1x1s. */
    private static final int[][] PROBE = {
        {32, 3, 16, 32, 3, 1, 1},
        {32, 16, 16, 32, 3, 1, 1},
        {32, 27, 16, 32, 3, 1, 1},
        {32, 9, 27, 32, 3, 1, 1},
        {32, 16, 32, 32, 3, 2, 1},
        {32, 50, 32, 16, 3, 1, 1},
        {32, 32, 32, 16, 3, 1, 1},
        {32, 48, 64, 16, 3, 2, 1},
        {32, 61, 45, 8, 3, 1, 1},
        {32, 64, 64, 8, 3, 1, 1},
        {32, 256, 64, 14, 1, 1, 0},
        {32, 37, 256, 14, 1, 1, 0},
        {32, 256, 512, 14, 1, 2, 0},
    };

    @Option(
            names = "--json",
            description = "Print one JSON object: cpu_model, isa, processors, cache_sizes_visible, threads, "
                    + "libtorch, onednn, plain_mkldnn_trusted, conv_probe, conv_routing, native_kernel_isa, cuda.")
    boolean json;

    @Option(
            names = "--probe",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Check libtorch's convolution on the probe shapes, forward and gradients (default; a few seconds).")
    boolean probe;

    @Override
    public Integer call() {
        TorchRuntime.init();
        HostInfo host = HostInfo.detect();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cpu_model", host.cpuModel());
        r.put("isa", host.isa());
        r.put("processors", host.processors());
        r.put("cache_sizes_visible", host.cacheSizesVisible());
        r.put("threads", torch.get_num_threads());
        r.put("libtorch", host.libtorchVersion());
        r.put("onednn", host.onednnVersion());
        r.put("plain_mkldnn_trusted", ConvRouter.global().summary().plainTrusted());
        if (probe) r.put("conv_probe", probe());
        r.put("conv_routing", ConvRouter.global().summary().toMap());
        r.put("native_kernel_isa", nativeIsa());
        r.put("cuda", cuda());
        Output.print(r, json);
        return 0;
    }

    /** Each probe shape checked with plain mkldnn first (in a child process), then routed as the router would. */
    private static Map<String, Object> probe() {
        long start = System.nanoTime();
        ConvRouter router = ConvRouter.probing();
        List<String> wrong = new ArrayList<>();
        for (int[] s : PROBE) {
            for (boolean grad : new boolean[] {false, true}) {
                ConvShape shape = new ConvShape(
                        s[0], s[1], s[2], s[3], s[3], s[4], s[5], s[6], false, grad, torch.get_num_threads());
                int before = router.summary().wrong();
                String route = router.decide(shape).id();
                if (router.summary().wrong() > before) wrong.add(shape.describe() + " -> " + route);
            }
        }
        RoutingSummary sum = router.summary();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shapes", sum.checked());
        m.put("wrong", sum.wrong());
        m.put("routed", sum.routed());
        m.put("shapes_by_route", sum.toMap().get("shapes_by_route"));
        m.put("wrong_shapes", wrong);
        m.put(
                "verdict",
                sum.wrong() == 0
                        ? "libtorch's mkldnn convolutions are right on every probe shape"
                        : "libtorch's mkldnn convolutions are WRONG on " + sum.wrong() + " of " + sum.checked()
                                + " probe shapes: this is an affected host");
        m.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        return m;
    }

    private static String nativeIsa() {
        try {
            NativeLibraries.load();
            return EmodirNative.emodir_cpu_kernel_isa();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    private static Map<String, Object> cuda() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nvcc", nvccVersion());
        boolean device;
        String why;
        try {
            NativeLibraries.load();
            device = EmodirNative.emodir_cuda_available() == 1;
            why = device ? "" : EmodirNative.emodir_last_error();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            device = false;
            why = "native engine unavailable: " + e.getMessage();
        }
        m.put("device", device);
        if (!device) m.put("reason", why);
        return m;
    }

    /** Last line of {@code nvcc --version} for the first nvcc on PATH, or null. */
    private static String nvccVersion() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path nvcc = Path.of(dir, "nvcc");
            if (!Files.isExecutable(nvcc)) continue;
            try {
                Process p = new ProcessBuilder(nvcc.toString(), "--version")
                        .redirectErrorStream(true)
                        .start();
                List<String> lines =
                        new String(p.getInputStream().readAllBytes()).lines().toList();
                p.waitFor(10, TimeUnit.SECONDS);
                return lines.isEmpty()
                        ? nvcc.toString()
                        : nvcc + ": " + lines.get(lines.size() - 1).trim();
            } catch (IOException e) {
                return nvcc + " (not runnable: " + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return nvcc.toString();
            }
        }
        return null;
    }
}
