package org.emodir.data;

import java.nio.file.Path;

/** Entry points for every supported dataset. */
public final class Datasets {
    private Datasets() {}

    /** The shared CIFAR-10 JPEG ImageFolder split ("train" or "test") under {@code root}, 32x32. */
    public static ImageDataset cifar10Jpg(Path root, String split, Path cacheDir) {
        if (!split.equals("train") && !split.equals("test")) {
            throw new IllegalArgumentException("CIFAR-10 jpg split must be 'train' or 'test', got '" + split + "'");
        }
        return imageFolder(root.resolve(split), ImageGeometry.CIFAR, cacheDir);
    }

    /**
     * Any ImageFolder tree. With a {@code cacheDir} the decoded pixels are kept in (and next time
     * mapped from) {@code cacheDir/<parent>_<folder>_<h>x<w>[_r<s>].emoimg}; with null they are
     * decoded into memory.
     */
    public static ImageDataset imageFolder(Path root, ImageGeometry geometry, Path cacheDir) {
        ImageFolderIndex index = ImageFolderIndex.scan(root);
        String name = cacheName(root, geometry);
        if (cacheDir == null) {
            return ImageCache.decodeInMemory(name, index, geometry, ParallelDecoder.defaultThreads());
        }
        return ImageCache.openOrBuild(name, index, geometry, cacheDir, ParallelDecoder.defaultThreads());
    }

    /** The ImageNet sample (or any ImageNet-layout folder) at evaluation geometry (256 -> centre 224). */
    public static ImageDataset imagenetEval(Path root, Path cacheDir) {
        return imageFolder(root, ImageGeometry.IMAGENET_EVAL, cacheDir);
    }

    /**
     * Split {@code split} of an ImageNet tree (see {@link ImageNetLayout}: class folders, or a flat {@code val/} with
     * its label file) restricted to {@code classes}, at evaluation geometry (shorter side 256, centre 224). With
     * {@code skipBadImages} missing, unlabelled and undecodable images are left out and listed in {@link
     * ImageDataset#skipped()}; otherwise the first one is an error naming it.
     */
    public static ImageDataset imageNet(
            Path root, String split, ClassSelection classes, boolean skipBadImages, Path cacheDir) {
        ImageGeometry g = ImageGeometry.IMAGENET_EVAL;
        ImageNetLayout.Listing listing = ImageNetLayout.index(root, split, classes, skipBadImages);
        String name = cacheName(root.resolve(split), g) + classes.tag();
        int threads = ParallelDecoder.defaultThreads();
        if (cacheDir == null) {
            return ImageCache.decodeInMemory(name, listing.index(), g, threads, skipBadImages, listing.skipped());
        }
        return ImageCache.openOrBuild(
                name,
                listing.index(),
                g,
                cacheDir,
                threads,
                PixelSegments.MAX_SEGMENT_BYTES,
                skipBadImages,
                listing.skipped());
    }

    /** Official CIFAR-10 binary split; {@code dir} holds the .bin files or {@code cifar-10-batches-bin}. */
    public static ImageDataset cifar10Binary(Path dir, String split) {
        return CifarBinaryReader.read(CifarFormat.CIFAR10, dir, split);
    }

    /** Official CIFAR-100 binary split (fine labels); {@code dir} holds the .bin files or {@code cifar-100-binary}. */
    public static ImageDataset cifar100Binary(Path dir, String split) {
        return CifarBinaryReader.read(CifarFormat.CIFAR100, dir, split);
    }

    /**
     * The train and test splits of the official CIFAR binary batches in {@code dir} (the .bin files, or the
     * {@code cifar-10-batches-bin} / {@code cifar-100-binary} folder inside it), or null when there are none: lossless
     * pixels, unlike the JPEG copy.
     */
    public static ImageDataset[] cifarBinarySplits(Path dir) {
        for (CifarFormat f : CifarFormat.values()) {
            Path folder =
                    java.nio.file.Files.isDirectory(dir.resolve(f.folderName())) ? dir.resolve(f.folderName()) : dir;
            if (java.nio.file.Files.isRegularFile(folder.resolve(f.files("test").get(0)))) {
                return new ImageDataset[] {
                    CifarBinaryReader.read(f, dir, "train"), CifarBinaryReader.read(f, dir, "test")
                };
            }
        }
        return null;
    }

    static String cacheName(Path root, ImageGeometry g) {
        Path abs = root.toAbsolutePath().normalize();
        String folder = abs.getFileName() == null ? "root" : abs.getFileName().toString();
        String parent = abs.getParent() == null || abs.getParent().getFileName() == null
                ? ""
                : abs.getParent().getFileName().toString() + "_";
        String name = parent + folder + "_" + g.height() + "x" + g.width()
                + (g.resizeShorterSide() > 0 ? "_r" + g.resizeShorterSide() : "");
        // libjpeg-turbo with DCT scaling gives other pixels than javax.imageio: its caches are kept apart
        if (NativeJpegDecoder.selected()) name += "_turbo";
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
