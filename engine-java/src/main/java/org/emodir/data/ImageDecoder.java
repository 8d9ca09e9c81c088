package org.emodir.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one JPEG/PNG file with javax.imageio into planar CHW uint8 of a given geometry. CMYK/YCCK
 * JPEGs are not supported by javax.imageio and fail with an error naming the file.
 */
public final class ImageDecoder {
    static {
        // ImageIO otherwise spools every stream through a temp file: slow and needless for in-memory bytes.
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {}

    /** Decodes {@code file} into {@code dst[off .. off + g.pixelsPerImage())}, CHW. */
    public static void decode(Path file, ImageGeometry g, byte[] dst, int off) {
        BufferedImage img = read(file);
        int h = img.getHeight();
        int w = img.getWidth();
        if (g.resizeShorterSide() == 0) {
            if (h != g.height() || w != g.width()) {
                throw new DatasetException(file + ": image is " + h + "x" + w + ", dataset geometry needs exactly "
                        + g.height() + "x" + g.width());
            }
            byte[] rgb = toRgb(img);
            int plane = g.planeSize();
            for (int p = 0; p < plane; p++) {
                dst[off + p] = rgb[p * 3];
                dst[off + plane + p] = rgb[p * 3 + 1];
                dst[off + 2 * plane + p] = rgb[p * 3 + 2];
            }
        } else {
            BilinearResizer.resizeCrop(toRgb(img), h, w, g, dst, off);
        }
    }

    /**
     * Reads {@code file} whole. javax.imageio only warns on a truncated or corrupt JPEG and returns grey-filled
     * pixels, so those warnings are errors here.
     */
    static BufferedImage read(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(file + ": unreadable image: no javax.imageio decoder recognises it");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                for (String w : warnings) {
                    String lower = w.toLowerCase(Locale.ROOT);
                    if (lower.contains("truncated") || lower.contains("premature end")) {
                        throw new DatasetException(file + ": corrupt image: " + w);
                    }
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException de) throw de;
            throw new DatasetException(file + ": unreadable image: " + e.getMessage(), e);
        }
    }

    /**
     * Interleaved RGB bytes. Grey images replicate the grey value (as PIL's {@code convert("RGB")});
     * going through {@code getRGB} would apply a linear-to-sRGB gamma to them.
     */
    static byte[] toRgb(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        byte[] rgb = new byte[h * w * 3];
        int type = img.getType();
        if (type == BufferedImage.TYPE_3BYTE_BGR
                && img.getRaster().getDataBuffer() instanceof DataBufferByte db
                && db.getData().length == h * w * 3) {
            byte[] bgr = db.getData();
            for (int p = 0; p < h * w; p++) {
                rgb[p * 3] = bgr[p * 3 + 2];
                rgb[p * 3 + 1] = bgr[p * 3 + 1];
                rgb[p * 3 + 2] = bgr[p * 3];
            }
        } else if (type == BufferedImage.TYPE_BYTE_GRAY) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRaster().getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) row[x];
                    int p = (y * w + x) * 3;
                    rgb[p] = v;
                    rgb[p + 1] = v;
                    rgb[p + 2] = v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = (y * w + x) * 3;
                    rgb[p] = (byte) (row[x] >> 16);
                    rgb[p + 1] = (byte) (row[x] >> 8);
                    rgb[p + 2] = (byte) row[x];
                }
            }
        }
        return rgb;
    }
}
