package org.emodir.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.emodir.model.ArchitectureFile;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.TorchCheckpoint;

/**
 * A pruned (or dense) model in the formats other tools load: ONNX (opset {@value OnnxExporter#OPSET}, dynamic
 * batch), a PyTorch state_dict {@code .pt} that stock {@code torch.load(..., weights_only=True)} accepts, and
 * safetensors. The architecture itself travels as {@code architecture.json} (docs/export.md rebuilds it in PyTorch).
 */
public final class ModelExport {
    public enum Format {
        ONNX("onnx"),
        PT("pt"),
        SAFETENSORS("safetensors");

        public final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.extension.equals(s.toLowerCase(Locale.ROOT))) return f;
            }
            throw new IllegalArgumentException("format must be onnx, pt or safetensors, got " + s);
        }
    }

    /** File names of {@link #writeAll} inside a pruned model's folder. */
    public static final String ONNX_FILE = "model.onnx", PT_FILE = "model.pt";

    private ModelExport() {}

    /** Writes {@code model} as {@code format} to {@code file}, atomically. */
    public static void write(PrunedModel model, Format format, Path file) throws IOException {
        int size = ArchitectureFile.inputSize(model.spec());
        switch (format) {
            case ONNX -> OnnxExporter.write(file, model.spec(), model.weights(), size, size);
            case PT -> TorchCheckpoint.write(file, model.weights());
            case SAFETENSORS ->
                SafeTensors.write(
                        file,
                        model.weights(),
                        Map.of("format", "pt", "arch", model.spec().arch()));
        }
    }

    /** The ONNX and .pt files beside a saved model's safetensors + architecture.json. */
    public static void writeAll(PrunedModel model, Path dir) throws IOException {
        write(model, Format.ONNX, dir.resolve(ONNX_FILE));
        write(model, Format.PT, dir.resolve(PT_FILE));
    }
}
