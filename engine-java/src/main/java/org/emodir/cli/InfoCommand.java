package org.emodir.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.model.ChannelGroup;
import org.emodir.model.Flops;
import org.emodir.model.NetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Model summary: per-layer MACs and parameters, prunable channel groups. Needs no weights. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Model summary: FLOPs (MACs) and parameters per layer, prunable channel groups.",
        footer = {"", "Examples:", "  emodir info --model resnet56", "  emodir info --model resnet50 --classes 1000 --json"})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", description = "Input height=width in pixels. Default: 32 (CIFAR) or 224 (resnet50).")
    Integer input;

    @Option(names = "--json", description = "Print one JSON object: model, input, macs, params, stage_macs, layers, groups.")
    boolean json;

    @Override
    public Integer call() {
        NetSpec spec = modelOptions.spec();
        int size = input != null ? input : spec.family() == NetSpec.Family.IMAGENET_RESNET ? 224 : 32;
        Flops.Report r = Flops.count(spec, size, size);
        if (!json) {
            System.out.printf("%s, %d classes, input 3x%dx%d%n", spec.arch(), spec.numClasses(), size, size);
            System.out.print(r.table());
            System.out.printf("total: %.2f M MACs, %.3f M params, %d prunable channel groups (%d channels)%n",
                    r.totalMacs() / 1e6, r.totalParams() / 1e6, spec.prunableGroups().size(),
                    spec.prunableGroups().stream().mapToInt(ChannelGroup::denseWidth).sum());
            return 0;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", spec.arch());
        out.put("classes", spec.numClasses());
        out.put("input", size);
        out.put("macs", r.totalMacs());
        out.put("params", r.totalParams());
        out.put("stage_macs", r.stageMacs());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Flops.Layer l : r.layers()) {
            layers.add(row("name", l.name(), "stage", l.stage(), "macs", l.macs(), "params", l.params()));
        }
        out.put("layers", layers);
        List<Map<String, Object>> groups = new ArrayList<>();
        for (ChannelGroup g : spec.prunableGroups()) {
            groups.add(row("name", g.name(), "stage", g.stage(), "channels", g.denseWidth()));
        }
        out.put("prunable_groups", groups);
        Output.print(out, true);
        return 0;
    }

    /** An insertion-ordered JSON object, so scripts see fields in a stable order. */
    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
