package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.Precision;
import org.emodir.eval.Objectives;
import org.emodir.evo.Metrics;
import org.emodir.report.ReportJson;
import org.emodir.report.RunReport;
import org.emodir.run.ProgressListener;
import org.emodir.search.MaskScores;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --precision bf16} through the whole pipeline (ResNet-20, toy budgets): the searches' fitness is bf16 (their
 * fronts hold the bf16 evaluator's objectives), the run reports it, a run directory of one precision refuses the other,
 * and the bf16 fronts score like the fp32 run's when both are re-measured in fp32 (Bf16FidelityTest's criteria:
 * rank agreement and hypervolume, here on what the pipeline produced).
 */
class Bf16PruneJobTest {
    static PruneConfig.Builder small(Path out) {
        return PruneJobTest.tiny(out)
                .baselineWholeNetwork(false)
                .baselineEvaluations(0)
                .latency(false);
    }

    @Test
    void bf16SearchRunsEndToEndResumesOnlyAtBf16AndItsFrontsScoreLikeFp32s(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bf16");
        RuntimeException kill = new RuntimeException("simulated kill");
        RuntimeException killed = assertThrows(
                RuntimeException.class,
                () -> new PruneJob(small(out).precision(Precision.BF16).build(), ProgressListener.SILENT)
                        .afterGeneration((name, gen) -> {
                            if (name.equals("search-0") && gen == 1) throw kill;
                        })
                        .run());
        assertEquals(kill, killed);
        // Its checkpoints hold bf16 fronts: an fp32 run is refused, naming the setting.
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class, () -> new PruneJob(small(out).build(), ProgressListener.SILENT).run());
        assertTrue(refused.getMessage().contains("other settings"), refused.getMessage());
        assertTrue(refused.getMessage().contains("precision saved bf16, now fp32"), refused.getMessage());

        PruneConfig bf16Config =
                small(out).precision(Precision.BF16).resume(true).build();
        RunReport bf16 = new PruneJob(bf16Config, ProgressListener.SILENT).run();
        JsonNode json = ReportJson.mapper().readTree(out.resolve("report.json").toFile());
        assertEquals(
                "bf16",
                json.at("/config/precision").asText(),
                json.get("config").toString());
        assertTrue(json.at("/details/bf16_hardware").isBoolean(), "details say whether VDPBF16PS ran");
        assertTrue(bf16.flopsReduction >= 0.5, "target met: " + bf16.flopsReduction);
        assertEquals(3, bf16.fronts.size());

        RunReport fp32 = new PruneJob(small(dir.resolve("fp32")).build(), ProgressListener.SILENT).run();
        assertEquals("fp32", fp32.config.get("precision"), "fp32 shown too");

        // Re-measure both runs' fronts on the same calibration features, in fp32 and in bf16.
        RunInputs in = RunInputs.load(bf16Config, ProgressListener.SILENT);
        Features f = Features.build(in, ProgressListener.SILENT);
        RunInputs in32 = RunInputs.load(small(dir.resolve("x")).build(), ProgressListener.SILENT);
        boolean bf16Differs = false;
        StringBuilder summary = new StringBuilder();
        for (Subnet sn : in.subnets()) {
            SubnetFront front16 = bf16.fronts.get(sn.index()), front32 = fp32.fronts.get(sn.index());
            List<SubnetSolution> sols16 = pruned(front16), sols32 = pruned(front32);
            Map<String, byte[]> union = new LinkedHashMap<>();
            for (SubnetSolution s : sols16) union.put(java.util.Arrays.toString(s.mask()), s.mask());
            for (SubnetSolution s : sols32) union.put(java.util.Arrays.toString(s.mask()), s.mask());
            List<byte[]> masks = new ArrayList<>(union.values());
            masks.add(front16.dense().mask()); // last: keep-all, whose bf16 MSE is the rounding noise alone
            double scale = f.calib().meanSquare(sn.endBlock());
            double[] at32 = impairments(SearchPhase.evaluator(in32, f, sn, false), masks, scale);
            double[] at16 = impairments(SearchPhase.evaluator(in, f, sn, false), masks, scale);
            assertTrue(
                    at32[masks.size() - 1] < 1e-5,
                    "fp32 keep-all reproduces the dense features: " + at32[masks.size() - 1]);
            double noise = at16[masks.size() - 1];

            // (1) The bf16 run's fronts hold the bf16 evaluator's objectives: its search ran bf16.
            for (SubnetSolution s : sols16) {
                int i = indexOf(masks, s.mask());
                assertEquals(at16[i], s.localImpairment(), 1e-6 * at16[i], sn.name() + " bf16 front objective");
                bf16Differs |= Math.abs(at32[i] - s.localImpairment()) > 1e-5 * at32[i];
            }
            for (SubnetSolution s : sols32) {
                int i = indexOf(masks, s.mask());
                assertEquals(at32[i], s.localImpairment(), 1e-6 * at32[i], sn.name() + " fp32 front objective");
            }
            // (2) Fidelity: every mask's bf16 impairment is its fp32 one up to bf16 rounding.
            for (int i = 0; i < masks.size() - 1; i++) {
                double tolerance = 0.02 * at32[i] + 3 * Math.sqrt(at32[i] * noise) + 3 * noise;
                assertEquals(at32[i], at16[i], tolerance, sn.name() + " mask " + i + " bf16 vs fp32");
            }
            // (3) The bf16 front, scored in fp32, is as good as the fp32 front: hypervolume of (FLOPs ratio,
            // impairment).
            double ref = 1.1 * java.util.Arrays.stream(at32).max().orElseThrow() + 1e-12;
            double hv16 = hypervolume(sols16, masks, at32, ref), hv32 = hypervolume(sols32, masks, at32, ref);
            summary.append(String.format(
                    "%s: %d/%d solutions, bf16 noise %.3g, hypervolume in fp32 %.6f (bf16 front) vs %.6f (fp32 front)%n",
                    sn.name(), sols16.size(), sols32.size(), noise, hv16, hv32));
            assertEquals(hv32, hv16, 0.02 * hv32, sn.name() + " hypervolume: " + summary);
        }
        System.out.print(summary);
        assertTrue(bf16Differs, "a bf16 front objective differs from fp32's (else the search did not run bf16)");
    }

    @Test
    void theRefusalNamesEveryDifferingSettingWithOmittedOnesAtTheirDefaults() {
        String fp32 = "{\"model\":\"resnet20\",\"seed\":1}";
        String bf16 = "{\"model\":\"resnet20\",\"seed\":1,\"precision\":\"bf16\"}";
        assertEquals(" (differs in: precision saved fp32, now bf16)", PruneJob.differences(fp32, bf16));
        assertEquals(
                " (differs in: seed saved 1, now 2; precision saved bf16, now fp32)",
                PruneJob.differences(bf16, "{\"model\":\"resnet20\",\"seed\":2}"));
        assertEquals("", PruneJob.differences(fp32, fp32));
        assertEquals("", PruneJob.differences("not json", fp32));
    }

    private static List<SubnetSolution> pruned(SubnetFront front) {
        return front.solutions().stream().filter(s -> !s.isDense()).toList();
    }

    private static double[] impairments(NativeCpuEvaluator ev, List<byte[]> masks, double scale) {
        try (ev) {
            Objectives o = MaskScores.of(ev, masks);
            double[] r = new double[masks.size()];
            for (int i = 0; i < r.length; i++) r[i] = o.mse(i) / scale;
            return r;
        }
    }

    private static int indexOf(List<byte[]> masks, byte[] mask) {
        for (int i = 0; i < masks.size(); i++) if (java.util.Arrays.equals(masks.get(i), mask)) return i;
        throw new AssertionError("mask not re-measured");
    }

    private static double hypervolume(List<SubnetSolution> sols, List<byte[]> masks, double[] at32, double ref) {
        List<double[]> points = new ArrayList<>();
        for (SubnetSolution s : sols) points.add(new double[] {s.flopsRatio(), at32[indexOf(masks, s.mask())]});
        return Metrics.hypervolume(points, 1.0, ref);
    }
}
