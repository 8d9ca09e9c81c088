package org.emodir.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.emodir.export.ModelExport;
import org.emodir.export.OnnxExporter;
import org.emodir.model.PrunedModel;
import org.emodir.report.ReportJson;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emodir export}: a pruned model as ONNX, PyTorch .pt or safetensors (see docs/export.md). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Write a pruned model (a prune run's OUT/pruned, or --arch + --weights) as ONNX (opset 17, dynamic batch,",
            "input 'input', output 'logits'), a PyTorch state_dict .pt (torch.load(weights_only=True)) or safetensors."
        })
final class ExportCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--run", required = true, description = "a prune run directory (reads RUN/pruned/).")
        Path run;

        @Option(names = "--arch", required = true, description = "architecture.json of the model.")
        Path arch;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--weights", description = "weights of --arch (.safetensors or .pt).")
    Path weights;

    @Option(names = "--format", required = true, description = "onnx, pt or safetensors.")
    String format;

    @Option(names = "--out", required = true, description = "file to write (replaced atomically).")
    Path out;

    @Option(names = "--json", description = "print a JSON summary.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelExport.Format f = ModelExport.Format.parse(format);
        PrunedModel model;
        if (source.run != null) {
            Path dir = source.run.resolve("pruned");
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(
                        "--run " + source.run + ": no pruned/ folder (has the run finished?)");
            }
            model = PrunedModel.load(dir);
        } else {
            if (weights == null) throw new IllegalArgumentException("--arch needs --weights");
            model = PrunedModel.loadArchitecture(source.arch, weights);
        }
        ModelExport.write(model, f, out);
        ObjectNode o = ReportJson.mapper().createObjectNode();
        o.put("format", f.extension);
        o.put("out", out.toString());
        o.put("bytes", Files.size(out));
        o.put("arch", model.spec().arch());
        o.put("macs", model.flops().totalMacs());
        if (f == ModelExport.Format.ONNX) o.put("opset", OnnxExporter.OPSET);
        System.out.println(
                json ? o.toString() : f.extension + " written to " + out + " (" + Files.size(out) + " bytes)");
        return 0;
    }
}
