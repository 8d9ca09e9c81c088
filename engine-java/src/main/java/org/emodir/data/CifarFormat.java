package org.emodir.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The two official CIFAR binary layouts: each record is label byte(s) followed by 3072 pixel
 * bytes (1024 R, 1024 G, 1024 B, row-major 32x32), i.e. already planar CHW.
 */
enum CifarFormat {
    /** 1 label byte: 3073-byte records. */
    CIFAR10(
            "cifar-10-batches-bin",
            1,
            0,
            10,
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
            List.of("test_batch.bin"),
            "batches.meta.txt",
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")),
    /** coarse label byte then fine label byte: 3074-byte records; the fine label is used. */
    CIFAR100("cifar-100-binary", 2, 1, 100, List.of("train.bin"), List.of("test.bin"), "fine_label_names.txt", null);

    public static final int PIXEL_BYTES = 3 * 32 * 32;

    private final String folderName;
    private final int labelBytes;
    private final int labelIndex;
    private final int numClasses;
    private final List<String> trainFiles;
    private final List<String> testFiles;
    private final String namesFile;
    private final List<String> defaultNames;

    CifarFormat(
            String folderName,
            int labelBytes,
            int labelIndex,
            int numClasses,
            List<String> trainFiles,
            List<String> testFiles,
            String namesFile,
            List<String> defaultNames) {
        this.folderName = folderName;
        this.labelBytes = labelBytes;
        this.labelIndex = labelIndex;
        this.numClasses = numClasses;
        this.trainFiles = trainFiles;
        this.testFiles = testFiles;
        this.namesFile = namesFile;
        this.defaultNames = defaultNames;
    }

    /** Folder the official archive extracts to. */
    public String folderName() {
        return folderName;
    }

    public int recordBytes() {
        return labelBytes + PIXEL_BYTES;
    }

    public int labelBytes() {
        return labelBytes;
    }

    /** Which label byte of a record is the class label. */
    public int labelIndex() {
        return labelIndex;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The batch files of {@code split} ("train" or "test"). */
    public List<String> files(String split) {
        return switch (split) {
            case "train" -> trainFiles;
            case "test" -> testFiles;
            default -> throw new IllegalArgumentException("CIFAR split must be 'train' or 'test', got '" + split + "'");
        };
    }

    /** Name of the optional text file listing class names, one a line. */
    public String namesFile() {
        return namesFile;
    }

    /** Class names when the names file is absent: the official list, or numbered names. */
    public List<String> defaultNames() {
        if (defaultNames != null) {
            return defaultNames;
        }
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            names.add(String.format("class_%03d", i));
        }
        return names;
    }
}
