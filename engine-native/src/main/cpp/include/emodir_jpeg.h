/*
 * JPEG decoding for the data loader with the system libjpeg-turbo (libjpeg API): decode with DCT-domain
 * downscaling (scale_num/8) to the smallest size whose shorter side still covers the resize target, then
 * resize-shorter-side + centre crop on the decoded buffer with the same bilinear rule as the Java
 * BilinearResizer (half-pixel centres, edge clamping, no antialias; torchvision sizes and crop offsets),
 * computed on the original image's grid so only the source resolution changes. Output planar CHW uint8.
 * Header-only so the JavaCPP-generated JNI file is the whole library (no CMake target).
 */
#ifndef EMODIR_JPEG_H
#define EMODIR_JPEG_H

#include <csetjmp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" {
#include <jpeglib.h>
#include <jerror.h>
}

namespace emodir_jpeg_detail {
inline char* error_buffer() {
    static thread_local char message[JMSG_LENGTH_MAX + 64];
    return message;
}

struct Error {
    jpeg_error_mgr mgr;
    jmp_buf jump;
};

inline void on_error(j_common_ptr cinfo) {
    Error* e = reinterpret_cast<Error*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, error_buffer());
    longjmp(e->jump, 1);
}

/* libjpeg only warns on truncated or corrupt data and fills the rest with grey: those warnings are errors here. */
inline void on_message(j_common_ptr cinfo, int level) {
    if (level < 0 && (cinfo->err->msg_code == JWRN_JPEG_EOF || cinfo->err->msg_code == JWRN_HIT_MARKER)) {
        on_error(cinfo);
    }
}

inline long resized_long(long s, long longer, long shorter) { return s * longer / shorter; }
}  // namespace emodir_jpeg_detail

/* dct_scale flag: decode every row and column, not only the crop's region (for tests and benchmarks). */
#define EMODIR_JPEG_WHOLE_IMAGE 4

/* The last error of this thread, e.g. "Premature end of JPEG file". */
inline const char* emodir_jpeg_last_error() { return emodir_jpeg_detail::error_buffer(); }

/*
 * Decodes the JPEG in src[0, len) into dst: planar CHW uint8 of 3 x out_h x out_w, after resizing the shorter
 * side to `resize` and cropping the centre (resize 0: the image must be exactly out_h x out_w). dct_scale 0
 * decodes at full size (as javax.imageio does); 1 at the smallest of 1/8, 2/8 ... 8/8 that covers the resize;
 * 2 only at 1/8, 1/4, 1/2 (the factors with SIMD IDCTs in libjpeg-turbo, as PIL's draft mode picks).
 * Only the rows and columns the crop samples are decoded, unless dct_scale has EMODIR_JPEG_WHOLE_IMAGE set.
 * Returns 0, or -1 with emodir_jpeg_last_error() set.
 * dims_out (may be null) receives the image's {height, width, decoded height, decoded width}.
 */
inline int emodir_jpeg_decode(const unsigned char* src, long len, int resize, int out_h, int out_w, int dct_scale,
                              unsigned char* dst, int* dims_out) {
    using namespace emodir_jpeg_detail;
    jpeg_decompress_struct cinfo;
    Error err;
    std::vector<unsigned char> rgb;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = on_error;
    err.mgr.emit_message = on_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, src, static_cast<unsigned long>(len));
    jpeg_read_header(&cinfo, TRUE);
    const long src_h = cinfo.image_height, src_w = cinfo.image_width;
    cinfo.out_color_space = JCS_RGB; /* libjpeg-turbo converts greyscale too; CMYK fails with its message */
    const bool whole = (dct_scale & EMODIR_JPEG_WHOLE_IMAGE) != 0;
    dct_scale &= ~EMODIR_JPEG_WHOLE_IMAGE;
    cinfo.scale_denom = 8;
    cinfo.scale_num = 8;
    if (resize > 0 && dct_scale) {
        const long shorter = src_h < src_w ? src_h : src_w;
        for (unsigned num = 1; num < 8; num += (dct_scale == 2 ? num : 1)) {
            if ((shorter * num + 7) / 8 >= resize) {
                cinfo.scale_num = num;
                break;
            }
        }
    }
    jpeg_start_decompress(&cinfo);
    const long h = cinfo.output_height, w = cinfo.output_width;
    if (cinfo.output_components != 3) {
        std::snprintf(error_buffer(), JMSG_LENGTH_MAX, "decoded to %d components, expected RGB",
                      cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (dims_out) {
        dims_out[0] = static_cast<int>(src_h);
        dims_out[1] = static_cast<int>(src_w);
        dims_out[2] = static_cast<int>(h);
        dims_out[3] = static_cast<int>(w);
    }
    const long plane = static_cast<long>(out_h) * out_w;
    if (resize == 0) {
        if (h != out_h || w != out_w) {
            std::snprintf(error_buffer(), JMSG_LENGTH_MAX, "image is %ldx%ld, dataset geometry needs exactly %dx%d", h,
                          w, out_h, out_w);
            jpeg_destroy_decompress(&cinfo);
            return -1;
        }
        rgb.resize(static_cast<size_t>(h * w * 3));
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW row = rgb.data() + static_cast<size_t>(cinfo.output_scanline) * w * 3;
            jpeg_read_scanlines(&cinfo, &row, 1);
        }
        jpeg_finish_decompress(&cinfo);
        jpeg_destroy_decompress(&cinfo);
        for (long p = 0; p < plane; ++p)
            for (int c = 0; c < 3; ++c) dst[c * plane + p] = rgb[p * 3 + c];
        return 0;
    }
    /* target grid from the original size (torchvision Resize / CenterCrop), sampled from the decoded buffer */
    long rh, rw;
    if (src_w <= src_h) {
        rw = resize;
        rh = resized_long(resize, src_h, src_w);
    } else {
        rh = resize;
        rw = resized_long(resize, src_w, src_h);
    }
    const int top = static_cast<int>(std::nearbyint((rh - out_h) / 2.0));
    const int left = static_cast<int>(std::nearbyint((rw - out_w) / 2.0));
    const double sy_scale = static_cast<double>(h) / rh, sx_scale = static_cast<double>(w) / rw;
    std::vector<int> x0(out_w), x1(out_w), y0(out_h), y1(out_h);
    std::vector<float> fx(out_w), fy(out_h);
    for (int x = 0; x < out_w; ++x) {
        double sx = (x + left + 0.5) * sx_scale - 0.5;
        if (sx < 0) sx = 0;
        x0[x] = static_cast<int>(sx) < w - 1 ? static_cast<int>(sx) : static_cast<int>(w - 1);
        x1[x] = x0[x] + 1 < w - 1 ? x0[x] + 1 : static_cast<int>(w - 1);
        fx[x] = static_cast<float>(sx - x0[x]);
    }
    for (int y = 0; y < out_h; ++y) {
        double sy = (y + top + 0.5) * sy_scale - 0.5;
        if (sy < 0) sy = 0;
        y0[y] = static_cast<int>(sy) < h - 1 ? static_cast<int>(sy) : static_cast<int>(h - 1);
        y1[y] = y0[y] + 1 < h - 1 ? y0[y] + 1 : static_cast<int>(h - 1);
        fy[y] = static_cast<float>(sy - y0[y]);
    }
    /* Only the rows and columns the crop samples are decoded (colour conversion, upsampling and IDCT are skipped
     * elsewhere; every row is still entropy-decoded, so a truncated file still fails). A margin of 2 pixels keeps
     * the upsampling context of the region's edges, so its pixels equal a whole-image decode's. */
    long row_lo = 0, row_hi = h - 1, col_lo = 0, col_w = w;
    if (!whole) {
        row_lo = y0[0] - 2 > 0 ? y0[0] - 2 : 0;
        row_hi = y1[out_h - 1] + 2 < h - 1 ? y1[out_h - 1] + 2 : h - 1;
        JDIMENSION xoff = static_cast<JDIMENSION>(x0[0] - 2 > 0 ? x0[0] - 2 : 0);
        const long col_end = x1[out_w - 1] + 2 < w - 1 ? x1[out_w - 1] + 2 : w - 1;
        JDIMENSION cw = static_cast<JDIMENSION>(col_end - xoff + 1);
        jpeg_crop_scanline(&cinfo, &xoff, &cw); /* widens to iMCU boundaries */
        col_lo = xoff;
        col_w = cw;
        if (row_lo > 0) jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(row_lo));
    }
    rgb.resize(static_cast<size_t>((row_hi - row_lo + 1) * col_w * 3));
    while (static_cast<long>(cinfo.output_scanline) <= row_hi) {
        JSAMPROW row = rgb.data() + static_cast<size_t>(cinfo.output_scanline - row_lo) * col_w * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    if (cinfo.output_scanline < cinfo.output_height) {
        /* entropy-decode the rest (so that truncation is still detected) and read the last row for real: skipping
         * to the very end would mark the image finished without reading its data */
        const JDIMENSION rest = cinfo.output_height - cinfo.output_scanline;
        if (rest > 1) jpeg_skip_scanlines(&cinfo, rest - 1);
        std::vector<unsigned char> last(static_cast<size_t>(col_w * 3));
        JSAMPROW row = last.data();
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    const long stride = col_w * 3;
    for (int x = 0; x < out_w; ++x) { /* byte offsets within a decoded row of the region */
        x0[x] = static_cast<int>((x0[x] - col_lo) * 3);
        x1[x] = static_cast<int>((x1[x] - col_lo) * 3);
    }
    for (int y = 0; y < out_h; ++y) {
        const unsigned char* r0 = rgb.data() + (y0[y] - row_lo) * stride;
        const unsigned char* r1 = rgb.data() + (y1[y] - row_lo) * stride;
        const float wy = fy[y];
        unsigned char* out = dst + static_cast<long>(y) * out_w;
        for (int x = 0; x < out_w; ++x) {
            const unsigned char *p00 = r0 + x0[x], *p01 = r0 + x1[x], *p10 = r1 + x0[x], *p11 = r1 + x1[x];
            const float wx = fx[x];
            for (int c = 0; c < 3; ++c) {
                const float t = p00[c] + (p01[c] - p00[c]) * wx, u = p10[c] + (p11[c] - p10[c]) * wx;
                /* a convex combination of bytes: within [0, 255], so +0.5 and truncation round it (std::round is
                 * a libm call at this library's baseline ISA and cost a sixth of the decode) */
                out[c * plane + x] = static_cast<unsigned char>(static_cast<int>(t + (u - t) * wy + 0.5f));
            }
        }
    }
    return 0;
}

#endif
