package org.emodir.model.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.TorchRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The routing is checked on any host: the reference against direct loops, every route against the reference on
 * shapes of both kinds (those oneDNN 3.7 gets wrong where caches are hidden, and those it gets right), and a
 * deliberately faulty "plain" path caught and routed away.
 */
class ConvRouterTest {
    @BeforeAll
    static void init() {
        TorchRuntime.init();
    }

    /** Shapes from issue 12 (wrong on affected hosts: odd widths, 48 stride 2 backward) and shapes it gets right. */
    private static final int[][] SHAPES = { // batch, in, out, size, kernel, stride, pad
        {32, 27, 16, 32, 3, 1, 1},
        {32, 9, 27, 32, 3, 1, 1},
        {16, 50, 32, 16, 3, 1, 1},
        {16, 48, 64, 16, 3, 2, 1},
        {16, 61, 45, 8, 3, 1, 1},
        {16, 33, 64, 8, 1, 1, 0},
        {16, 7, 12, 9, 1, 2, 0},
        {16, 16, 16, 32, 3, 1, 1},
        {8, 64, 64, 8, 3, 1, 1},
    };

    @Test
    void referenceEqualsDirectLoopsForwardAndBothGradients() {
        int[][] cases = {{2, 5, 3, 7, 3, 1, 1}, {3, 4, 6, 8, 3, 2, 1}, {2, 6, 5, 5, 1, 2, 0}, {1, 3, 2, 6, 3, 1, 0}};
        for (int[] c : cases) {
            for (boolean bias : new boolean[] {false, true}) {
                Naive n = new Naive(c, bias, 7);
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = n.tensor(n.x, c[0], c[1], c[3], c[3]);
                    Tensor w = n.tensor(n.w, c[2], c[1], c[4], c[4]);
                    Tensor b = bias ? n.tensor(n.b, c[2]) : null;
                    x.set_requires_grad(true);
                    w.set_requires_grad(true);
                    if (b != null) b.set_requires_grad(true);
                    Tensor y = ConvRoute.SLOW.apply(x, w, b, c[5], c[6]);
                    y.mul(n.tensor(n.gy, c[0], c[2], n.oh, n.oh)).sum().backward();
                    assertClose(n.forward(), floats(y), "forward " + java.util.Arrays.toString(c));
                    assertClose(n.inputGrad(), floats(x.grad()), "dX " + java.util.Arrays.toString(c));
                    assertClose(n.weightGrad(), floats(w.grad()), "dW " + java.util.Arrays.toString(c));
                    if (bias) assertClose(n.biasGrad(), floats(b.grad()), "dB");
                }
            }
        }
    }

    /**
     * Every route, forced, computes what the reference computes (forward, dX, dW, dB) wherever the plain path does:
     * on an unaffected host that is every shape, so the routes the router falls back to are exercised there too.
     * Where plain is wrong, a route may be wrong as well (the router then tries the next); the reference never is.
     * Checks run in a child process, since a oneDNN check may crash its process on an affected host.
     */
    @ParameterizedTest
    @CsvSource({"channels_last", "padded", "slow"})
    void forcedRouteEqualsReferenceWhereverPlainDoes(String id) {
        ConvRoute route = ConvRoute.parse(id);
        try (IsolatedChecker checker = new IsolatedChecker()) {
            int compared = 0;
            for (int[] s : SHAPES) {
                for (boolean bias : new boolean[] {false, true}) {
                    ConvShape shape = new ConvShape(
                            s[0], s[1], s[2], s[3], s[3], s[4], s[5], s[6], bias, true, torch.get_num_threads());
                    if (!route.appliesTo(shape)) continue;
                    ConvVerifier.Check check = checker.check(shape, route);
                    if (route == ConvRoute.SLOW
                            || checker.check(shape, ConvRoute.PLAIN).ok()) {
                        assertTrue(check.ok(), route + " on " + shape + ": " + check);
                        compared++;
                    }
                }
            }
            assertTrue(compared >= 2, "compared on " + compared + " shapes");
        }
    }

    /**
     * Whether plain mkldnn is trusted or not, the router's choice computes what the reference computes on every
     * shape; trusted, every shape plain gets wrong is routed and no other; untrusted, plain is never chosen.
     */
    @ParameterizedTest
    @CsvSource({"true", "false"})
    void routedConvolutionEqualsReferenceOnThisHost(boolean trustPlain) {
        ConvRouter router = ConvRouter.inMemory(trustPlain);
        try (IsolatedChecker checker = new IsolatedChecker()) {
            for (int[] s : SHAPES) {
                for (boolean grad : new boolean[] {false, true}) {
                    ConvShape shape = new ConvShape(
                            s[0], s[1], s[2], s[3], s[3], s[4], s[5], s[6], false, grad, torch.get_num_threads());
                    ConvRoute route = router.decide(shape);
                    assertTrue(checker.check(shape, route).ok(), route + " on " + shape);
                    if (!trustPlain) assertTrue(route != ConvRoute.PLAIN, shape.describe());
                }
            }
        }
        RoutingSummary sum = router.summary();
        assertEquals(2 * SHAPES.length, sum.checked());
        if (trustPlain) assertEquals(sum.wrong(), sum.routed(), "every wrong shape is routed, no right one is");
        else assertEquals(2 * SHAPES.length, sum.routed());
    }

    /** A plain path that breaks the forward (last image) or only dW is detected and replaced by a route that checks out. */
    @Test
    void faultyPlainPathIsCaughtAndRoutedAway() {
        ConvRouter forwardFault = ConvRouter.withPlainPath((x, w, b, s, p) -> {
            Tensor y = ConvRoute.CHANNELS_LAST.apply(x, w, b, s, p);
            Tensor bump = torch.zeros(y.size(0), 1, 1, 1);
            bump.narrow(0, y.size(0) - 1, 1).fill_(new Scalar(0.5));
            return y.add(bump);
        });
        ConvShape fwdShape = new ConvShape(16, 16, 16, 8, 8, 3, 1, 1, false, false, torch.get_num_threads());
        assertEquals(ConvRoute.CHANNELS_LAST, forwardFault.decide(fwdShape));
        assertEquals(1, forwardFault.summary().wrong());

        // Forward right, dW 30 % too large: y + 0.3 (g - g.detach()) with g = conv(x.detach(), w).
        ConvRouter gradFault = ConvRouter.withPlainPath((x, w, b, s, p) -> {
            Tensor y = ConvRoute.CHANNELS_LAST.apply(x, w, b, s, p);
            Tensor g = ConvRoute.CHANNELS_LAST.apply(x.detach(), w, null, s, p);
            return y.add(g.sub(g.detach()).mul(new Scalar(0.3)));
        });
        assertEquals(ConvRoute.PLAIN, gradFault.decide(fwdShape), "a forward-only use does not need the gradient");
        ConvShape gradShape = new ConvShape(16, 16, 16, 8, 8, 3, 1, 1, false, true, torch.get_num_threads());
        assertEquals(ConvRoute.CHANNELS_LAST, gradFault.decide(gradShape));
    }

    @Test
    void verdictsSurviveInTheStoreAndTornLinesAreSkipped(@TempDir Path dir) throws Exception {
        VerdictStore store = new VerdictStore(dir.resolve("conv-routes").resolve("abc.tsv"));
        ConvShape a = new ConvShape(128, 27, 16, 32, 32, 3, 1, 1, false, true, 2);
        ConvShape b = new ConvShape(64, 16, 16, 32, 32, 3, 1, 1, true, false, 2);
        assertTrue(store.append(a, ConvRoute.CHANNELS_LAST, "test host"));
        assertTrue(store.append(b, ConvRoute.PLAIN, "test host"));
        Files.write(store.file(), "128\t27\t16\t32".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        Map<ConvShape, ConvRoute> loaded = store.load();
        assertEquals(Map.of(a, ConvRoute.CHANNELS_LAST, b, ConvRoute.PLAIN), loaded);
        assertTrue(new VerdictStore(dir.resolve("absent.tsv")).load().isEmpty());
    }

    @Test
    void routedCallsAreCheckedOnceAndMatchTheReferenceInTraining() {
        ConvRouter router = ConvRouter.inMemory("verify");
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.randn(8, 27, 16, 16);
            Tensor w = torch.randn(20, 27, 3, 3).mul(new Scalar(0.1));
            w.set_requires_grad(true);
            Tensor y1 = router.conv2d(x, w, null, 1, 1);
            Tensor y2 = router.conv2d(x, w, null, 1, 1);
            assertEquals(1, router.summary().checked());
            y1.add(y2).sum().backward();
            Tensor wRef = w.detach().clone();
            wRef.set_requires_grad(true);
            Tensor yRef = ConvRoute.SLOW.apply(x, wRef, null, 1, 1);
            yRef.mul(new Scalar(2.0)).sum().backward();
            assertTrue(ConvVerifier.error(y1.detach(), yRef.detach()) < 1e-4);
            assertTrue(ConvVerifier.error(w.grad(), wRef.grad()) < 1e-4);
            try (NoGradGuard g = new NoGradGuard()) {
                router.conv2d(x, w, null, 1, 1);
            }
            assertEquals(2, router.summary().checked(), "a no-grad call is its own shape (forward checked only)");
        }
    }

    @Test
    void anUnknownRoutingModeIsRefusedNamingTheSetting() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ConvRouter.inMemory("fastest"));
        assertTrue(
                e.getMessage().contains(ConvRouter.MODE_ENV) && e.getMessage().contains("'fastest'"), e.getMessage());
    }

    @Test
    void cacheVisibilityIsReadFromSysfs(@TempDir Path dir) throws Exception {
        assertFalse(HostInfo.cacheSizesVisible(dir.resolve("missing")));
        Files.createDirectories(dir.resolve("index0"));
        assertFalse(HostInfo.cacheSizesVisible(dir));
        Files.writeString(dir.resolve("index0").resolve("size"), "48K\n");
        assertTrue(HostInfo.cacheSizesVisible(dir));
    }

    private static float[] floats(Tensor t) {
        Tensor c = t.detach().contiguous();
        float[] a = new float[(int) c.numel()];
        new FloatPointer(c.data_ptr()).get(a);
        return a;
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, scale), what + " at " + i);
        }
    }

    /** Direct-loop convolution and its gradients in double precision: the reference of the reference. */
    private static final class Naive {
        final int n, ci, co, hw, k, s, p, oh;
        final double[] x, w, b, gy;

        Naive(int[] c, boolean bias, long seed) {
            n = c[0];
            ci = c[1];
            co = c[2];
            hw = c[3];
            k = c[4];
            s = c[5];
            p = c[6];
            oh = (hw + 2 * p - k) / s + 1;
            SplittableRandom r = new SplittableRandom(seed);
            x = r.doubles((long) n * ci * hw * hw, -1, 1).map(v -> (float) v).toArray();
            w = r.doubles((long) co * ci * k * k, -1, 1).map(v -> (float) v).toArray();
            b = bias ? r.doubles(co, -1, 1).map(v -> (float) v).toArray() : new double[co];
            gy = r.doubles((long) n * co * oh * oh, -1, 1).map(v -> (float) v).toArray();
        }

        Tensor tensor(double[] d, long... shape) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            Tensor t = torch.empty(shape);
            new FloatPointer(t.data_ptr()).put(f);
            return t;
        }

        private interface Visit {
            void at(int img, int o, int c, int oy, int ox, int iy, int ix, int ky, int kx);
        }

        private void each(Visit v) {
            for (int img = 0; img < n; img++)
                for (int o = 0; o < co; o++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < oh; ox++)
                            for (int c = 0; c < ci; c++)
                                for (int ky = 0; ky < k; ky++)
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = oy * s - p + ky, ix = ox * s - p + kx;
                                        if (iy >= 0 && iy < hw && ix >= 0 && ix < hw)
                                            v.at(img, o, c, oy, ox, iy, ix, ky, kx);
                                    }
        }

        private int xi(int img, int c, int iy, int ix) {
            return ((img * ci + c) * hw + iy) * hw + ix;
        }

        private int wi(int o, int c, int ky, int kx) {
            return ((o * ci + c) * k + ky) * k + kx;
        }

        private int yi(int img, int o, int oy, int ox) {
            return ((img * co + o) * oh + oy) * oh + ox;
        }

        double[] forward() {
            double[] y = new double[n * co * oh * oh];
            for (int img = 0; img < n; img++)
                for (int o = 0; o < co; o++) for (int i = 0; i < oh * oh; i++) y[(img * co + o) * oh * oh + i] = b[o];
            each((img, o, c, oy, ox, iy, ix, ky, kx) ->
                    y[yi(img, o, oy, ox)] += x[xi(img, c, iy, ix)] * w[wi(o, c, ky, kx)]);
            return y;
        }

        double[] inputGrad() {
            double[] g = new double[x.length];
            each((img, o, c, oy, ox, iy, ix, ky, kx) ->
                    g[xi(img, c, iy, ix)] += gy[yi(img, o, oy, ox)] * w[wi(o, c, ky, kx)]);
            return g;
        }

        double[] weightGrad() {
            double[] g = new double[w.length];
            each((img, o, c, oy, ox, iy, ix, ky, kx) ->
                    g[wi(o, c, ky, kx)] += gy[yi(img, o, oy, ox)] * x[xi(img, c, iy, ix)]);
            return g;
        }

        double[] biasGrad() {
            double[] g = new double[co];
            for (int img = 0; img < n; img++)
                for (int o = 0; o < co; o++) for (int i = 0; i < oh * oh; i++) g[o] += gy[(img * co + o) * oh * oh + i];
            return g;
        }
    }
}
