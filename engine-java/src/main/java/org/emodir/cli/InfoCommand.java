package org.emodir.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.emodir.model.ChannelGroup;
import org.emodir.model.CostModel;
import org.emodir.model.Flops;
import org.emodir.model.NetSpec;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Model summary: per-layer MACs and parameters, prunable channel groups. Needs no weights. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Model summary: FLOPs (MACs) and parameters per layer, prunable channel groups.",
        footer = {
            "",
            "Examples:",
            "  emodir info --model resnet56",
            "  emodir info --model resnet50 --classes 1000 --json"
        })
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", description = "Input height=width in pixels. Default: 32 (CIFAR) or 224 (resnet50).")
    Integer input;

    @Option(
            names = "--subnets-per-stage",
            description = "Show the divide-and-conquer split into this many sub-networks per stage (default 1).")
    int subnetsPerStage = 1;

    @Option(
            names = "--json",
            description = "Print one JSON object: model, input, macs, params, stage_macs, layers, groups, subnets.")
    boolean json;

    @Override
    public Integer call() {
        NetSpec spec = modelOptions.spec();
        int size = input != null ? input : spec.family() == NetSpec.Family.IMAGENET_RESNET ? 224 : 32;
        Flops.Report r = Flops.count(spec, size, size);
        CostModel cost = new CostModel(spec, size, size);
        List<Subnet> subnets = SubnetSplit.of(spec, SubnetSplit.MinKeep.DEFAULT, subnetsPerStage);
        if (!json) {
            System.out.printf("%s, %d classes, input 3x%dx%d%n", spec.arch(), spec.numClasses(), size, size);
            System.out.print(r.table());
            System.out.printf(
                    "total: %.2f M MACs, %.3f M params, %d prunable channel groups (%d channels)%n",
                    r.totalMacs() / 1e6,
                    r.totalParams() / 1e6,
                    spec.prunableGroups().size(),
                    spec.prunableGroups().stream()
                            .mapToInt(ChannelGroup::denseWidth)
                            .sum());
            System.out.printf("sub-networks (%d per stage):%n", subnetsPerStage);
            for (Subnet sn : subnets) {
                System.out.printf(
                        "  %-14s blocks %-7s %5d channels %,14d MACs%n",
                        sn.name(),
                        sn.firstBlock() + "-" + (sn.endBlock() - 1),
                        sn.genes(),
                        cost.blockMacs(sn.firstBlock(), sn.endBlock()));
            }
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
        List<Map<String, Object>> split = new ArrayList<>();
        for (Subnet sn : subnets) {
            split.add(row(
                    "name",
                    sn.name(),
                    "first_block",
                    sn.firstBlock(),
                    "end_block",
                    sn.endBlock(),
                    "channels",
                    sn.genes(),
                    "macs",
                    cost.blockMacs(sn.firstBlock(), sn.endBlock())));
        }
        out.put("subnets", split);
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
