package org.emodir.model.conv;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.run.CacheDirs;

/**
 * Every libtorch convolution of emodir goes through here. libtorch 2.10's oneDNN 3.7.1 computes some convolutions
 * wrong on hosts that hide their CPU cache sizes (issue 12); which ones depends on the shape, the batch and the
 * thread count, and some faults read uninitialised memory, so they come and go between runs. The first time a shape
 * is seen, candidate routes are checked in a child process against an independent reference ({@link ConvVerifier},
 * {@link IsolatedChecker}); the first that checks out is used from then on. Where the host shows its cache sizes the
 * plain mkldnn path is the first candidate, so shapes it gets right lose nothing. Where it hides them, plain mkldnn is
 * not trusted even when a check passes (a check cannot rule out a fault that depends on garbage memory): candidates
 * start at channels-last, which measured as fast or faster there ({@code ConvRoutingBenchmark}). Verdicts are
 * remembered in memory and on disk per host kind ({@link HostInfo#signature()}), so a machine pays for a check once.
 *
 * <p>Mode ({@code -Demodir.conv.routing} or {@code EMODIR_CONV_ROUTING}): {@code verify} (default), {@code off}
 * (plain mkldnn everywhere, unchecked: for comparisons), or a route id ({@code channels_last}, {@code padded},
 * {@code slow}) to force that route for every convolution.
 */
public final class ConvRouter {
    public static final String MODE_PROPERTY = "emodir.conv.routing";
    public static final String MODE_ENV = "EMODIR_CONV_ROUTING";
    /** Overrides where verdicts are kept (default: $EMODIR_CACHE or ~/.cache/emodir, subfolder conv-routes). */
    public static final String CACHE_PROPERTY = "emodir.cache.dir";

    private static volatile ConvRouter global;
    private static final ConvRoute[] CANDIDATES = {ConvRoute.PLAIN, ConvRoute.CHANNELS_LAST, ConvRoute.PADDED};
    /** Padding still runs plain mkldnn's blocked reorders, so it is no more trusted than plain. */
    private static final ConvRoute[] UNTRUSTED_PLAIN_CANDIDATES = {ConvRoute.CHANNELS_LAST};

    private final String mode;
    private final ConvRoute forced;
    private final VerdictStore store;
    private final Map<ConvShape, ConvRoute> routes = new ConcurrentHashMap<>();
    private final ConvVerifier.Candidate plain;
    private final Checker checker;
    private final boolean trustPlain;
    private int checked;
    private int wrong;
    private int fromStore;
    private String hostSummary;
    private boolean warned;

    /** Runs one check of a route on a shape. */
    interface Checker {
        ConvVerifier.Check check(ConvShape shape, ConvRoute route);
    }

    private ConvRouter(
            String mode, VerdictStore store, ConvVerifier.Candidate plain, Checker checker, boolean trustPlain) {
        this.mode = mode;
        this.trustPlain = trustPlain;
        this.forced = mode.equals("verify") || mode.equals("off") ? null : ConvRoute.parse(mode);
        this.store = store;
        this.plain = plain;
        this.checker = checker;
        if (store != null) {
            routes.putAll(store.load());
            fromStore = routes.size();
        }
    }

    /** The process-wide router (mode and cache dir from the environment, read once). */
    public static ConvRouter global() {
        ConvRouter r = global;
        if (r != null) return r;
        synchronized (ConvRouter.class) {
            if (global == null) {
                HostInfo host = HostInfo.detect();
                Path file = defaultCacheDir().resolve("conv-routes").resolve(host.signature() + ".tsv");
                global = new ConvRouter(
                        configuredMode(),
                        new VerdictStore(file),
                        ConvRoute.PLAIN::apply,
                        isolated(),
                        trustsPlain(host));
                global.hostSummary = host.summary();
            }
            return global;
        }
    }

    /** A router that remembers verdicts in memory only; {@code mode} as for the global one. */
    public static ConvRouter inMemory(String mode) {
        return new ConvRouter(
                checkMode(mode), null, ConvRoute.PLAIN::apply, isolated(), trustsPlain(HostInfo.detect()));
    }

    /**
     * A router that checks plain mkldnn first whatever the host, remembering verdicts in memory only: how {@code
     * emodir doctor} counts the shapes plain gets wrong.
     */
    public static ConvRouter probing() {
        ConvRouter r = inMemory(true);
        r.warned = true; // a probe reports its findings itself
        return r;
    }

    static ConvRouter inMemory(boolean trustPlain) {
        return new ConvRouter("verify", null, ConvRoute.PLAIN::apply, isolated(), trustPlain);
    }

    /** Plain mkldnn is a candidate unless the host hides its cache sizes; {@code -Demodir.conv.trust-plain} overrides. */
    static boolean trustsPlain(HostInfo host) {
        String p = System.getProperty("emodir.conv.trust-plain");
        return p == null || p.isBlank() ? host.cacheSizesVisible() : Boolean.parseBoolean(p);
    }

    /**
     * Test hook: a router whose "plain" path is {@code plain}, checked in this process, to show a faulty path is
     * caught and routed away.
     */
    static ConvRouter withPlainPath(ConvVerifier.Candidate plain) {
        return new ConvRouter(
                "verify", null, plain, (s, r) -> ConvVerifier.check(s, r == ConvRoute.PLAIN ? plain : r::apply), true);
    }

    /**
     * Checks in a child process (a check may crash oneDNN), shared by every router of this JVM; {@code
     * -Demodir.conv.check=inline} runs them here instead, for debugging.
     */
    private static Checker isolated() {
        if ("inline".equals(System.getProperty("emodir.conv.check"))) return (s, r) -> ConvVerifier.check(s, r::apply);
        synchronized (ConvRouter.class) {
            if (sandbox == null) sandbox = new IsolatedChecker();
            return sandbox::check;
        }
    }

    private static IsolatedChecker sandbox;

    static String configuredMode() {
        String m = System.getProperty(MODE_PROPERTY);
        if (m == null || m.isBlank()) m = System.getenv(MODE_ENV);
        return checkMode(m == null || m.isBlank() ? "verify" : m.trim().toLowerCase(Locale.ROOT));
    }

    private static String checkMode(String mode) {
        if (mode.equals("verify") || mode.equals("off")) return mode;
        try {
            ConvRoute.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MODE_ENV + " / -D" + MODE_PROPERTY + ": '" + mode
                    + "' is not a routing mode (expected verify, off, channels_last, padded or slow)");
        }
        return mode;
    }

    static Path defaultCacheDir() {
        String p = System.getProperty(CACHE_PROPERTY);
        return p == null || p.isBlank() ? CacheDirs.defaultDir() : Path.of(p);
    }

    /** {@code conv2d(x, w, bias)} (square kernel, equal stride and zero padding, no dilation or groups); bias may be null. */
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int pad) {
        if (mode.equals("off")) return plain.apply(x, w, bias, stride, pad);
        if (forced != null) return forced.apply(x, w, bias, stride, pad);
        boolean grad = GradMode.is_enabled()
                && (x.requires_grad() || w.requires_grad() || (bias != null && bias.requires_grad()));
        ConvShape shape = ConvShape.of(x, w, bias != null, stride, pad, grad, torch.get_num_threads());
        ConvRoute route = routes.get(shape);
        if (route == null) route = decide(shape);
        return route == ConvRoute.PLAIN ? plain.apply(x, w, bias, stride, pad) : route.apply(x, w, bias, stride, pad);
    }

    /** The route for {@code shape}, checking it now if it is new. */
    public synchronized ConvRoute decide(ConvShape shape) {
        ConvRoute known = routes.get(shape);
        if (known != null) return known;
        checked++;
        ConvRoute route = ConvRoute.SLOW;
        ConvVerifier.Check plainCheck = null;
        for (ConvRoute r : trustPlain ? CANDIDATES : UNTRUSTED_PLAIN_CANDIDATES) {
            if (!r.appliesTo(shape)) continue;
            ConvVerifier.Check c = checker.check(shape, r);
            if (c.ok()) {
                route = r;
                break;
            }
            if (r == ConvRoute.PLAIN) {
                wrong++;
                plainCheck = c;
            }
        }
        if (!warned && route != ConvRoute.PLAIN) {
            warned = true;
            System.err.println(
                    plainCheck != null
                            ? String.format(
                                    Locale.ROOT,
                                    "emodir: libtorch's mkldnn convolution is wrong on this host for %s (relative error forward "
                                            + "%.2g, dX %.2g, dW %.2g); such shapes are routed (this one: %s). 'emodir doctor' reports the host.",
                                    shape.describe(),
                                    plainCheck.forwardError(),
                                    plainCheck.inputGradError(),
                                    plainCheck.weightGradError(),
                                    route.id())
                            : "emodir: this host hides its CPU cache sizes, where libtorch's oneDNN 3.7 computes some convolutions wrong; every "
                                    + "convolution takes a checked route (first: " + route.id()
                                    + "). 'emodir doctor' reports the host.");
        }
        routes.put(shape, route);
        if (store != null) store.append(shape, route, hostSummary == null ? "" : hostSummary);
        return route;
    }

    /** What this router has decided so far (for doctor and the run report). */
    public synchronized RoutingSummary summary() {
        Map<ConvRoute, Integer> byRoute = new EnumMap<>(ConvRoute.class);
        for (ConvRoute r : routes.values()) byRoute.merge(r, 1, Integer::sum);
        return new RoutingSummary(
                mode,
                trustPlain,
                checked,
                wrong,
                fromStore,
                byRoute,
                store == null ? null : store.file().toString());
    }
}
