#!/usr/bin/env python3
"""PIL + torchvision anchor for DataLoaderBenchmark's ImageNet decode: the same 64 files of the shared
imagenet-sample (file i*97 % 1000 of the sorted list), Resize(256) + CenterCrop(224), one thread,
images per second. Usage: python3 benchmarks/imagenet_decode_pil.py [DATA_DIR] (default $EMODIR_DATA or ../shared).
Needs Pillow and torchvision; says so and exits 2 when either is missing."""
import os
import sys
import time

try:
    from PIL import Image
    from torchvision import transforms
except ImportError as e:  # the reference is optional: say what is missing
    print(f"PIL/torchvision anchor unavailable: {e}", file=sys.stderr)
    sys.exit(2)

root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EMODIR_DATA", os.path.join("..", "shared"))
sample = os.path.join(root, "datasets", "imagenet-sample")
files = sorted(
    os.path.join(sample, c, f) for c in os.listdir(sample) for f in os.listdir(os.path.join(sample, c))
    if f.lower().endswith((".jpg", ".jpeg", ".png")))
chosen = [files[i * 97 % len(files)] for i in range(64)]
tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
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
    print(f"PIL{' draft' if draft else ''} + torchvision Resize(256)/CenterCrop(224): {best:.1f} images/s (1 thread)")
