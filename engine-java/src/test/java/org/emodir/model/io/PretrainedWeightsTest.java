package org.emodir.model.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.data.DataDirs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped CIFAR-10 ResNets: both formats must agree exactly and match the documented layout. */
class PretrainedWeightsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "resnet20-12fca82f, 3, 13bf37247e060b79a8312f292b6ca902c2b447cc7910c84dd4283d9b993d6f7e, 7709df74eb19ae8c927b5f451376595b6291ba688b20d88ec9378d778bb54d0d",
        "resnet56-4bfd9763, 9, b9a39f30f6eaa18e833eff2a6bff11ba4852dcad61e0981a80521e849ace9b7f, 16faa05c4215f3185aab84468fc62fc4f2617b7bd834900abdf2181eb53f15e6",
    })
    void bothFormatsHoldTheDocumentedResNet(String stem, int blocksPerStage, String ptSha, String stSha)
            throws Exception {
        Path pt = existing(stem + ".pt");
        Path st = existing(stem + ".safetensors");
        assertEquals(ptSha, sha256(pt), "sha256 of " + pt + " differs from shared/README.md");
        assertEquals(stSha, sha256(st), "sha256 of " + st + " differs from shared/README.md");

        StateDict fromPt = TorchCheckpoint.read(pt);
        StateDict fromSt = SafeTensors.read(st);
        TestTensors.assertSame(fromSt, fromPt);

        Map<String, long[]> expected = expectedShapes(blocksPerStage);
        assertEquals(
                new ArrayList<>(expected.keySet()),
                fromPt.names(),
                "names (module. prefix stripped) in state_dict order");
        expected.forEach((name, shape) -> fromPt.require(name, shape));
        assertTrue(allPositive(fromPt.get("bn1.running_var").data()), "running variances must be positive");

        // Our writers reproduce the same tensors, and the loader recognises both by content.
        Path ptCopy = dir.resolve("copy.pt");
        Path stCopy = dir.resolve("copy.safetensors");
        TorchCheckpoint.write(ptCopy, fromPt);
        SafeTensors.write(stCopy, fromPt, Map.of());
        TestTensors.assertSame(fromPt, WeightsLoader.load(ptCopy));
        TestTensors.assertSame(fromPt, WeightsLoader.load(stCopy));
    }

    /** He et al. CIFAR ResNet: conv1/bn1, 3 stages of basic blocks with 16/32/64 channels, linear 64 -> 10. */
    static Map<String, long[]> expectedShapes(int blocksPerStage) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("conv1.weight", new long[] {16, 3, 3, 3});
        bn(m, "bn1", 16);
        int in = 16;
        for (int stage = 1; stage <= 3; stage++) {
            int planes = 16 << (stage - 1);
            for (int b = 0; b < blocksPerStage; b++) {
                String p = "layer" + stage + "." + b + ".";
                m.put(p + "conv1.weight", new long[] {planes, in, 3, 3});
                bn(m, p + "bn1", planes);
                m.put(p + "conv2.weight", new long[] {planes, planes, 3, 3});
                bn(m, p + "bn2", planes);
                in = planes;
            }
        }
        m.put("linear.weight", new long[] {10, 64});
        m.put("linear.bias", new long[] {10});
        return m;
    }

    private static void bn(Map<String, long[]> m, String prefix, int channels) {
        for (String s : List.of("weight", "bias", "running_mean", "running_var"))
            m.put(prefix + "." + s, new long[] {channels});
    }

    private static boolean allPositive(float[] v) {
        for (float x : v) if (!(x > 0)) return false;
        return true;
    }

    private static Path existing(String name) {
        Path p = DataDirs.cifar10Models().resolve(name);
        assertTrue(Files.isRegularFile(p), "missing pretrained weights " + p + " (see shared/README.md)");
        return p;
    }

    private static String sha256(Path p) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
            in.transferTo(OutputStreamSink.INSTANCE);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
