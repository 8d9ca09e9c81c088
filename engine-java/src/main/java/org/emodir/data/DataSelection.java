package org.emodir.data;

import java.util.Objects;

/**
 * Which part of an ImageNet-layout dataset a run reads: the classes, and whether missing, unlabelled or undecodable
 * images are left out (counted in {@link ImageDataset#skipped()}) instead of stopping the run.
 */
public record DataSelection(ClassSelection classes, boolean skipBadImages) {
    public static final DataSelection ALL = new DataSelection(ClassSelection.ALL, false);

    public DataSelection {
        Objects.requireNonNull(classes, "classes");
    }

    public boolean isDefault() {
        return classes.all() && !skipBadImages;
    }
}
