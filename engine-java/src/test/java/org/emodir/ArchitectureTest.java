package org.emodir;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import java.util.Arrays;
import org.emodir.run.EmodirException;

/**
 * The package layering, checked on the compiled main classes: every package may use only the packages below it
 * in {@link #LAYERS}, which reads as the pipeline from the command line down to files and checkpoints.
 */
@AnalyzeClasses(packages = "org.emodir", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** Top to bottom; each entry is a layer name and the packages that form it. */
    static final String[][] LAYERS = {
        {"cli", "org.emodir.cli.."},
        {"facade", "org.emodir"},
        {"pipeline", "org.emodir.pipeline.."},
        {"report", "org.emodir.report.."},
        {"train", "org.emodir.train.."},
        {"scheme", "org.emodir.scheme.."},
        {"gpir", "org.emodir.gpir.."},
        {"search", "org.emodir.search.."},
        {"features", "org.emodir.features.."},
        {"engine", "org.emodir.engine.."},
        {"eval", "org.emodir.eval.."},
        {"program", "org.emodir.program.."},
        {"export", "org.emodir.export.."},
        {"model", "org.emodir.model.."},
        {"data", "org.emodir.data.."},
        {"evo", "org.emodir.evo.."},
        {"run", "org.emodir.run.."},
    };

    @ArchTest
    static final ArchRule importsPointDown = layers();

    @ArchTest
    static final ArchRule noCyclesBetweenPackages =
            slices().matching("org.emodir.(**)").should().beFreeOfCycles();

    /** Datasets and the NSGA-II know nothing of networks. */
    @ArchTest
    static final ArchRule evoAndDataAreGeneric = noClasses()
            .that()
            .resideInAnyPackage("org.emodir.evo..", "org.emodir.data..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.emodir.model..", "org.emodir.program..");

    /** The op IR is plain Java over the model: no native binding, no libtorch. */
    @ArchTest
    static final ArchRule programIsPureIr = noClasses()
            .that()
            .resideInAPackage("org.emodir.program..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.bytedeco..");

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

    private static Architectures.LayeredArchitecture layers() {
        Architectures.LayeredArchitecture a =
                Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String[] l : LAYERS) a = a.layer(l[0]).definedBy(l[1]);
        // The top layer is used by nobody; every other layer only by the layers above it.
        a = a.whereLayer(LAYERS[0][0]).mayNotBeAccessedByAnyLayer();
        for (int i = 1; i < LAYERS.length; i++) {
            String[] above = Arrays.stream(LAYERS, 0, i).map(l -> l[0]).toArray(String[]::new);
            a = a.whereLayer(LAYERS[i][0]).mayOnlyBeAccessedByLayers(above);
        }
        return a;
    }
}
