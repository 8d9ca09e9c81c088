package org.emodir.data.jpeg;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code emodir_jpeg.h}: JPEG decoding with the system libjpeg-turbo, DCT-domain downscaling,
 * resize and centre crop in one native call. Buffers travel as raw off-heap addresses. The JNI library is built
 * with the rest of engine-native and links {@code libjpeg} (libjpeg-turbo's libjpeg62 API).
 */
@Platform(include = "emodir_jpeg.h", link = "jpeg@.62")
public final class TurboJpeg {
    static {
        Loader.load();
    }

    private TurboJpeg() {}

    /**
     * Decodes {@code len} JPEG bytes at {@code src} into planar CHW uint8 {@code 3 x outH x outW} at {@code dst}
     * (resize 0: exact size required). {@code dctScale} 1 lets libjpeg decode at the smallest k/8 size that still
     * covers {@code resize}, 2 only at 1/8, 1/4 or 1/2 (SIMD IDCTs), 0 at full size; plus 4 to decode the whole
     * image rather than only the rows and columns the crop samples. {@code dims} (4 ints, may be 0) receives {height, width, decoded height, decoded width}.
     * Returns 0, or -1 with {@link #emodir_jpeg_last_error()}.
     */
    public static native int emodir_jpeg_decode(
            @Cast("const unsigned char*") long src,
            long len,
            int resize,
            int outH,
            int outW,
            int dctScale,
            @Cast("unsigned char*") long dst,
            @Cast("int*") long dims);

    /** The calling thread's last error message. */
    public static native String emodir_jpeg_last_error();
}
