#!/usr/bin/env python3
"""PIL + torchvision anchor for DataLoaderBenchmark's ImageNet decode: the same 64 files of the shared
imagenet-sample (file i*97 % 1000 of the sorted list), Resize(256) + CenterCrop(224), one thread,
images per second. Usage: python3 benchmarks/imagenet_decode_pil.py [DATA_DIR] (default $EMODIR_DATA or ../shared).
Needs Pillow; says so and exits 2 when it is missing. Without torchvision it applies the same two transforms with PIL
calls (what torchvision's Resize/CenterCrop call on a PIL image: Image.resize with BILINEAR to the shorter side 256,
the longer side int(256 * long / short), then a crop at round((side - 224) / 2)) and says so."""
import os
import sys
import time

try:
    from PIL import Image
except ImportError as e:  # the reference is optional: say what is missing
    print(f"PIL anchor unavailable: {e}", file=sys.stderr)
    sys.exit(2)
try:
    from torchvision import transforms

    tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    LABEL = "torchvision Resize(256)/CenterCrop(224)"
except ImportError:

    def tf(im):  # torchvision.transforms.functional.resize / center_crop on a PIL image
        w, h = im.size
        if w <= h:
            size = (256, int(256 * h / w))
        else:
            size = (int(256 * w / h), 256)
        im = im.resize(size, Image.BILINEAR)
        left, top = int(round((size[0] - 224) / 2.0)), int(round((size[1] - 224) / 2.0))
        return im.crop((left, top, left + 224, top + 224))

    LABEL = "PIL resize(256, BILINEAR)/crop(224), torchvision's calls (torchvision not installed)"

root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EMODIR_DATA", os.path.join("..", "shared"))
sample = os.path.join(root, "datasets", "imagenet-sample")
files = sorted(
    os.path.join(sample, c, f) for c in os.listdir(sample) for f in os.listdir(os.path.join(sample, c))
    if f.lower().endswith((".jpg", ".jpeg", ".png")))
chosen = [files[i * 97 % len(files)] for i in range(64)]
for draft in (False, True):
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        for f in chosen:
            with Image.open(f) as im:
                if draft:  # PIL's DCT-domain downscaling, as libjpeg-turbo's scale_num/8
                    im.draft("RGB", (256, 256))
                tf(im.convert("RGB")).tobytes()
        best = max(best, len(chosen) / (time.perf_counter() - t))
    print(f"PIL {Image.__version__}{' draft' if draft else ''} + {LABEL}: {best:.1f} images/s (1 thread)")
