package org.emodir.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Loads a state dict from either supported format, recognised by content rather than trusting the extension. */
public final class WeightsLoader {
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private WeightsLoader() {}

    public static StateDict load(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ZIP_MAGIC.length);
        }
        boolean zip = head.length == ZIP_MAGIC.length && Arrays.equals(head, ZIP_MAGIC);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (zip) return TorchCheckpoint.read(file);
        if (name.endsWith(".pt") || name.endsWith(".pth")) {
            throw new WeightsException(
                    file + ": not a zip-format PyTorch checkpoint (legacy pre-1.6 torch.save files are not supported;"
                            + " re-save with a current PyTorch or convert to .safetensors)");
        }
        return SafeTensors.read(file);
    }
}
