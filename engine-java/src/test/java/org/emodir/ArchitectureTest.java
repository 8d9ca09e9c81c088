package org.emodir;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.emodir.run.EmodirException;

/**
 * The package layering, checked on the compiled main classes. Bottom up: {@code run} (files, checkpoints, errors);
 * {@code model}, {@code data}, {@code evo}; {@code program} (op IR over model); {@code eval} (population-evaluation
 * SPI); {@code nativ} (native evaluators); the pipeline ({@code emodir}, {@code internal}, {@code report}); {@code cli}
 * and the {@code EmoDir} facade on top.
 *
 * <p>The upward dependencies that still close cycles, and that the pipeline refactor (issue 14: PruneJob as phases,
 * the {@code emodir} package split) removes, are frozen in {@code src/test/resources/archunit_store}, one line per
 * dependency: they may shrink, never grow. The store is never created by a
 * test run ({@code archunit.properties}); to record a deliberate change, run once with
 * {@code -Darchunit.freeze.store.default.allowStoreCreation=true} (new rule) or {@code -Darchunit.freeze.refreeze=true}.
 */
@AnalyzeClasses(packages = "org.emodir", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] PIPELINE = {
        "org.emodir.cli..", "org.emodir.emodir..", "org.emodir.internal..", "org.emodir.report.."
    };

    /**
     * No cycles between the top-level packages. The two upward edges that still close cycles (report and internal
     * reading types of emodir) are left to the frozen rules below, so this rule fails on any other cycle.
     */
    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("org.emodir.(*)..")
            .should()
            .beFreeOfCycles()
            .ignoreDependency(resideInAPackage("org.emodir.report.."), resideInAPackage("org.emodir.emodir.."))
            .ignoreDependency(resideInAPackage("org.emodir.internal.."), resideInAPackage("org.emodir.emodir.."));

    /**
     * Frozen: the report reads SubnetFront, JointScheme, TradeoffCurve, PruneConfig... of emodir (cycle emodir <->
     * report); goes when the report is assembled from phase records.
     */
    @ArchTest
    static final ArchRule reportDoesNotReadThePipeline = FreezingArchRule.freeze(noClasses()
            .that()
            .resideInAPackage("org.emodir.report..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.emodir.emodir.."));

    /**
     * Frozen: internal.search and internal.gpir use emodir's SubnetFront, GpirEntry, PrunedModel... (cycle emodir
     * <-> internal); goes with the split of the emodir package.
     */
    @ArchTest
    static final ArchRule internalDoesNotCallBackIntoThePipeline = FreezingArchRule.freeze(noClasses()
            .that()
            .resideInAPackage("org.emodir.internal..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.emodir.emodir.."));

    @ArchTest
    static final ArchRule foundationsDoNotReachIntoThePipeline = noClasses()
            .that()
            .resideInAnyPackage(
                    "org.emodir.model..",
                    "org.emodir.data..",
                    "org.emodir.evo..",
                    "org.emodir.program..",
                    "org.emodir.run..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(PIPELINE)
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage("org.emodir.eval..", "org.emodir.nativ..");

    @ArchTest
    static final ArchRule runIsTheBottomLayer = noClasses()
            .that()
            .resideInAPackage("org.emodir.run..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.emodir.model..",
                    "org.emodir.data..",
                    "org.emodir.evo..",
                    "org.emodir.program..",
                    "org.emodir.eval..",
                    "org.emodir.nativ..")
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(EmoDir.class);

    @ArchTest
    static final ArchRule evoAndDataAreGeneric = noClasses()
            .that()
            .resideInAnyPackage("org.emodir.evo..", "org.emodir.data..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.emodir.model..", "org.emodir.program..");

    /** The op IR is plain Java over the model: no evaluator, no native binding, no libtorch. */
    @ArchTest
    static final ArchRule programIsPureIr = noClasses()
            .that()
            .resideInAPackage("org.emodir.program..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.emodir.data..",
                    "org.emodir.evo..",
                    "org.emodir.eval..",
                    "org.emodir.nativ..",
                    "org.bytedeco..");

    @ArchTest
    static final ArchRule evaluationSpiIsBelowTheEngines = noClasses()
            .that()
            .resideInAPackage("org.emodir.eval..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.emodir.nativ..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(PIPELINE);

    @ArchTest
    static final ArchRule enginesAreBelowThePipeline = noClasses()
            .that()
            .resideInAPackage("org.emodir.nativ..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(PIPELINE);

    @ArchTest
    static final ArchRule cliAndFacadeAreTheTop = noClasses()
            .that()
            .resideOutsideOfPackage("org.emodir.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.emodir.cli..")
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(EmoDir.class);

    @ArchTest
    static final ArchRule errorsAreEmodirExceptions = classes()
            .that()
            .resideInAPackage("org.emodir..")
            .and()
            .areAssignableTo(RuntimeException.class)
            // Argument and state errors that callers catch as the JDK's types keep those supertypes.
            .and()
            .areNotAssignableTo(IllegalArgumentException.class)
            .and()
            .areNotAssignableTo(IllegalStateException.class)
            .should()
            .beAssignableTo(EmodirException.class);
}
