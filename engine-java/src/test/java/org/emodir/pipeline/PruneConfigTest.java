package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class PruneConfigTest {
    static PruneConfig.Builder valid() {
        return PruneConfig.quick()
                .weights(Path.of("w.safetensors"))
                .data(Path.of("data"))
                .out(Path.of("out"));
    }

    static void rejects(String field, UnaryOperator<PruneConfig.Builder> change) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> change.apply(valid()).build());
        assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
    }

    @Test
    void quickDefaultsAreValidAndDescribeTheRun() {
        PruneConfig c = valid().build();
        assertEquals("resnet20", c.model());
        assertEquals(0.5, c.target().fraction());
        assertEquals(32, c.population());
        assertEquals(20, c.generations());
        assertEquals("w.safetensors", c.resultSettings().get("weights"));
        assertEquals(
                "resnet56",
                PruneConfig.paper()
                        .weights(Path.of("w"))
                        .data(Path.of("d"))
                        .out(Path.of("o"))
                        .build()
                        .model());
    }

    @Test
    void invalidSettingsNameTheirField() {
        rejects("target", b -> b.targetFlops(1.0));
        rejects("target", b -> b.targetFlops(0));
        rejects("target", b -> b.targetParams(-0.1));
        rejects("population", b -> b.population(2));
        rejects("population", b -> b.population(7));
        rejects("generations", b -> b.generations(0));
        rejects("calibPerClass", b -> b.calibPerClass(0));
        rejects("frontCap", b -> b.frontCap(0));
        rejects("minFraction", b -> b.minFraction(1.0));
        rejects("finetuneEpochs", b -> b.finetuneEpochs(-1));
        rejects("distillAlpha", b -> b.distillAlpha(1.5));
        rejects("threads", b -> b.threads(0));
        rejects("baselineCostRatio", b -> b.baselineCostRatio(-1));
        rejects(
                "baselineCostRatio",
                b -> b.baselineWholeNetwork(true).baselineCostRatio(5).baselineEvaluations(100));
        rejects("baselineCostRatio", b -> b.baselineCostRatio(5));
        rejects("baselineCalibPerClass", b -> b.baselineCalibPerClass(-1));
        rejects("tradeoffStep", b -> b.tradeoffStep(0));
        rejects("weights", b -> b.weights(null));
        rejects("out", b -> b.out(null));
        rejects("precision", b -> b.precision(null));
    }

    @Test
    void precisionIsAResultSettingShownOnlyWhenNotFp32() {
        PruneConfig fp32 = valid().build();
        assertEquals(org.emodir.engine.Precision.FP32, fp32.precision());
        assertTrue(!fp32.resultSettings().containsKey("precision"), "run directories from before the option resume");
        PruneConfig bf16 = valid().precision(org.emodir.engine.Precision.BF16).build();
        assertEquals("bf16", bf16.resultSettings().get("precision"));
        assertTrue(!fp32.resultSettings().equals(bf16.resultSettings()), "a bf16 run does not resume an fp32 one");
        // the Spark executors evaluate at the run's precision (issue 19): bf16 with --spark is a valid run
        PruneConfig bf16Spark = valid().precision(org.emodir.engine.Precision.BF16)
                .spark("local[2]")
                .build();
        assertEquals(org.emodir.engine.Precision.BF16, bf16Spark.precision());
        assertEquals(bf16.resultSettings(), bf16Spark.resultSettings(), "--spark is not a result setting");
    }
}
