package io.usageplans.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rule every adapter module (servlet, cdi, hazelcast, admin, micrometer) checks in its own tests:
 * it reaches core through the public packages only, never through {@code io.usageplans.internal}, so that the engine
 * can change inside without breaking an adapter.
 */
public final class ArchitectureRules {

    private ArchitectureRules() {
    }

    /** Adapter code in {@code adapterPackage} (and below) names no type of {@code io.usageplans.internal}. */
    public static ArchRule importsNoInternal(String adapterPackage) {
        return noClasses().that().resideInAPackage(adapterPackage + "..")
                .should().dependOnClassesThat().resideInAPackage("io.usageplans.internal..")
                .because("adapters use core's public packages (the model, config, routing, spi); internal may change "
                        + "at any time");
    }

    /** The main (not test) classes of {@code adapterPackage}, as compiled. */
    public static JavaClasses mainClassesOf(String adapterPackage) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(adapterPackage);
    }

    /** Fails, naming every offending dependency, when the adapter's main code uses {@code io.usageplans.internal}. */
    public static void checkAdapter(String adapterPackage) {
        JavaClasses classes = mainClassesOf(adapterPackage);
        if (classes.isEmpty()) {
            throw new AssertionError("no classes of " + adapterPackage + " were found to check");
        }
        importsNoInternal(adapterPackage).check(classes);
    }
}
