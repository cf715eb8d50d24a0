package io.usageplans;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * Core's dependencies run one way: the model at the top of {@code io.usageplans} is used by every package and names
 * none of them; the SPI, the stores, the admin operations and the engine's internals never name the engine's public
 * type {@link UsagePlans}, which is the one class that puts them together (as {@code RateLimiter.of} does in
 * Resilience4j). Adapters check their side with {@code io.usageplans.testing.ArchitectureRules}.
 */
@AnalyzeClasses(packages = "io.usageplans", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ENGINE = "io.usageplans.UsagePlans";

    /** The facade and its builder: the one place that depends on everything below it. */
    private static boolean facade(JavaClass c) {
        return c.getName().equals(ENGINE) || c.getName().startsWith(ENGINE + "$");
    }

    @ArchTest
    static final ArchRule spiStoresManageAndInternalNeverNameTheEngine = noClasses()
            .that().resideInAnyPackage("io.usageplans.spi..", "io.usageplans.store..", "io.usageplans.manage..",
                    "io.usageplans.internal..")
            .should().dependOnClassesThat().haveFullyQualifiedName(ENGINE)
            .because("a store, an admin operation or the engine's parts get what they need handed in (StoreContext, "
                    + "AdminContext), never the whole engine");

    @ArchTest
    static final ArchRule modelNamesNoSpiOrInternalType = noClasses()
            .that().resideInAPackage("io.usageplans").and(describe("are not the UsagePlans facade", c -> !facade(c)))
            .should().dependOnClassesThat().resideInAnyPackage("io.usageplans.spi..", "io.usageplans.internal..",
                    "io.usageplans.store..", "io.usageplans.manage..", "io.usageplans.config..", "io.usageplans.routing..")
            .because("the model is the bottom layer every other package builds on");

    @ArchTest
    static final ArchRule spiImportsOnlyModelValues = classes()
            .that().resideInAPackage("io.usageplans.spi..")
            .should().onlyDependOnClassesThat(describe("are Java's, the model's or the SPI's own",
                    c -> c.getPackageName().startsWith("java.") || c.isPrimitive() || c.isArray()
                            || (c.getPackageName().equals("io.usageplans") && !facade(c))
                            || c.getPackageName().startsWith("io.usageplans.spi")));

    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
                @Override
                public SliceIdentifier getIdentifierOf(JavaClass c) {
                    String pkg = c.getPackageName();
                    if (pkg.equals("io.usageplans")) {
                        return SliceIdentifier.of("model");
                    }
                    if (pkg.startsWith("io.usageplans.")) {
                        return SliceIdentifier.of(pkg.substring("io.usageplans.".length()).split("\\.")[0]);
                    }
                    return SliceIdentifier.ignore();
                }

                @Override
                public String getDescription() {
                    return "core packages (the model at the top of io.usageplans, then one slice per subpackage)";
                }
            })
            .should().beFreeOfCycles()
            .ignoreDependency(describe("the UsagePlans facade", ArchitectureTest::facade),
                    describe("anything", c -> true));
}
