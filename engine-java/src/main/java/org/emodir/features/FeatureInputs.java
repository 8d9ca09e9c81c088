package org.emodir.features;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import org.emodir.data.ImageDataset;
import org.emodir.model.TorchNet;
import org.emodir.model.io.NamedTensor;

/**
 * SHA-256 of everything a feature cache is computed from: the architecture, every weight and BatchNorm statistic,
 * the images' pixels, labels, geometry and normalisation, the image order and the cuts. A saved cache is reused only
 * when this matches; hashing reads the chosen images once, far cheaper than running the network over them.
 */
final class FeatureInputs {
    private FeatureInputs() {}

    static byte[] checksum(TorchNet dense, ImageDataset data, int[] indices, int[] cuts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        text(sha, "emodir features v1\n" + dense.spec() + "\n");
        Map<String, NamedTensor> weights = new TreeMap<>(dense.toStateDict().asMap());
        ByteBuffer floats = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (NamedTensor t : weights.values()) {
            text(sha, t.name() + java.util.Arrays.toString(t.shape()) + "\n");
            float[] v = t.data();
            for (int i = 0; i < v.length; ) {
                floats.clear();
                while (i < v.length && floats.remaining() >= Float.BYTES) floats.putFloat(v[i++]);
                sha.update(floats.array(), 0, floats.position());
            }
        }
        text(
                sha,
                data.name() + "|" + data.geometry() + "|" + data.normalization().text() + "|" + data.classNames() + "|"
                        + java.util.Arrays.toString(cuts) + "\n");
        byte[] pixels = new byte[data.geometry().pixelsPerImage()];
        for (int i : indices) {
            text(sha, i + ":" + data.label(i) + "\n");
            data.copyChw(i, pixels, 0);
            sha.update(pixels);
        }
        return sha.digest();
    }

    private static void text(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
    }
}
