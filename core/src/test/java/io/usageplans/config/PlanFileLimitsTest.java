package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan files at and beyond the limits: large catalogs start, and oversized, overlong or overly nested files are
 * refused quickly with the file, the line, the limit and the setting that raises it.
 */
class PlanFileLimitsTest {

    private static final String HEAD = """
            api: Big
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
            apiKeys:
            """;

    // ---- large catalogs ----

    @Test
    void aPlanFileWithSixtyThousandKeysInTheReadmesBlockStyleStarts(@TempDir Path dir) throws IOException {
        int n = 60_000; // 100,000 and 1,000,000: benchmarks/StartupBenchmark
        Path file = dir.resolve("usage-plans.yaml");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEAD);
            for (int i = 0; i < n; i++) {
                w.write("  - name: customer-" + i + "\n    value: " + value(i) + "\n    plans: [basic]\n");
            }
        }
        assertTrue(Files.size(file) > 4_500_000, "more than the 4.4 MB that did not start and the parser's old 3 MiB limit");

        Catalog catalog = PlanFileLocator.load(Map.of(PlanFileLocator.CONFIG, file.toString())::get, getClass().getClassLoader());

        assertEquals(n, catalog.apiKeys().size());
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").build()) {
            for (int i : new int[] {0, n / 2, n - 1}) {
                Decision d = engine.decide(value(i), "GET", "/pets");
                assertEquals(Decision.Outcome.ALLOWED, d.outcome(), "key " + i);
                assertEquals("customer-" + i, d.apiKey().name());
            }
            assertEquals(Decision.Outcome.FORBIDDEN, engine.decide(value(n), "GET", "/pets").outcome());
        }
    }

    // ---- size ----

    @Test
    void aPlanFileLargerThanTheSettingFailsNamingTheLimitAndTheSetting(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plans.yaml");
        Files.writeString(file, HEAD + "  - name: a\n    value: " + value(1) + "\n    plans: [basic]\n".repeat(20));
        Map<String, String> params = Map.of(PlanFileLocator.CONFIG, file.toString(), PlanFile.MAX_BYTES, "500");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileLocator.load(params::get, getClass().getClassLoader()));

        assertEquals("usage-plans: " + file + ": the plan file has " + String.format(Locale.ROOT, "%,d", Files.size(file))
                + " bytes, more than the limit of 500 (init-param usageplans.config.max-bytes); to read it, raise "
                + "usageplans.config.max-bytes (init-param, context-param, system property, or environment variable "
                + "USAGEPLANS_CONFIG_MAX_BYTES)", e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @Test
    void aFileBeyondTheDefaultLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(PlanFile.DEFAULT_MAX_BYTES + 1); // sparse: nothing is written, and nothing must be read
        }

        UsagePlansConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
                UsagePlansConfigException.class,
                () -> PlanFileLocator.load(Map.of(PlanFileLocator.CONFIG, file.toString())::get, getClass().getClassLoader())));

        assertTrue(e.getMessage().startsWith("usage-plans: " + file + ": the plan file has 268,435,457 bytes, more than the "
                + "limit of 268,435,456 (the default of the setting usageplans.config.max-bytes); to read it, raise "
                + "usageplans.config.max-bytes"), e.getMessage());
    }

    @Test
    void aClasspathPlanFileBeyondTheLimitIsRefusedAtTheFirstByteTooMany() {
        Map<String, String> params = Map.of(PlanFileLocator.CONFIG, "classpath:keysfile/usage-plans.yaml", PlanFile.MAX_BYTES, "10");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileLocator.load(params::get, getClass().getClassLoader()));

        assertTrue(e.getMessage().startsWith("usage-plans: classpath:keysfile/usage-plans.yaml: the plan file has more bytes than "
                + "the limit of 10 (init-param usageplans.config.max-bytes)"), e.getMessage());
    }

    @Test
    void aSizeSettingWithUnitsRaisesTheLimit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plans.yaml");
        StringBuilder yaml = new StringBuilder(HEAD);
        for (int i = 0; i < 20; i++) {
            yaml.append("  - name: k").append(i).append("\n    value: ").append(value(i)).append("\n    plans: [basic]\n");
        }
        Files.writeString(file, yaml);
        Map<String, String> params = new HashMap<>(Map.of(PlanFileLocator.CONFIG, file.toString(), PlanFile.MAX_BYTES, "1"));
        assertThrows(UsagePlansConfigException.class, () -> PlanFileLocator.load(params::get, getClass().getClassLoader()));

        params.put(PlanFile.MAX_BYTES, "2K");
        assertEquals(20, PlanFileLocator.load(params::get, getClass().getClassLoader()).apiKeys().size());
    }

    @Test
    void aSizeSettingThatIsNotANumberOfBytesFailsNamingTheSettingAndTheValue() {
        for (String bad : new String[] {"lots", "-5", "0", "3T", "99999999999G"}) {
            UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFileLocator.load(
                    Map.of(PlanFile.MAX_BYTES, bad)::get, getClass().getClassLoader()));
            assertEquals("usage-plans: init-param usageplans.config.max-bytes: must be a number of bytes from 1 to 2147483631 "
                    + "(like 536870912, 512M or 1G), was '" + bad + "'", e.getMessage());
        }
    }

    // ---- one huge value ----

    @Test
    void aTwentyMegabyteScalarOnOneLineIsRefusedInASecondNamingTheLine() {
        String yaml = "plans:\n  - name: basic\n    description: " + "x".repeat(20 << 20) + "\n";

        UsagePlansConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml")));

        assertEquals("usage-plans: plans.yaml, line 3: a line of 20,971,537 characters; a line of a YAML plan file may have "
                + "at most 1,048,576 and a value at most 65,536", e.getMessage());
    }

    @Test
    void aTwentyMegabyteStringInJsonIsRefusedInASecondNamingTheLine() {
        String json = "{\n  \"api\": \"" + "x".repeat(20 << 20) + "\"\n}\n";

        UsagePlansConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(json, "plans.json")));

        assertEquals("usage-plans: plans.json, line 2: not valid JSON: a string of more than 65,536 characters; a plan-file "
                + "value may have at most 65,536 (column 10)", e.getMessage());
    }

    @Test
    void aValueOverTheLimitOnManyShortLinesIsRefusedNamingItsLine() {
        String yaml = "api: Big\nplans:\n  - name: basic\n    description: |\n" + "      some words of text\n".repeat(4000);

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 4: a value of 76,000 characters; a plan-file value may have at most 65,536",
                e.getMessage());
    }

    // ---- nesting ----

    @Test
    void twentyThousandNestedFlowListsFailNamingFileAndLineWithoutAStackOverflow() {
        String yaml = "api: Deep\nplans: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 2: lists and maps nested more than 50 levels deep; a plan file needs "
                + "fewer than 10", e.getMessage());
    }

    @Test
    void twentyThousandNestedBlockListsFailNamingFileAndLineWithoutAStackOverflow() {
        String yaml = "api: Deep\nplans:\n" + "- ".repeat(20_000) + "x\n";

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 3: lists and maps nested more than 50 levels deep; a plan file needs "
                + "fewer than 10", e.getMessage());
    }

    @Test
    void twentyThousandNestedJsonObjectsFailNamingFileAndLineWithoutAStackOverflow() {
        String json = "{\"plans\":\n" + "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000) + "}";

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(json, "plans.json"));

        assertEquals("usage-plans: plans.json, line 2: lists and maps nested more than 50 levels deep; a plan file needs "
                + "fewer than 10", e.getMessage());
    }

    @Test
    void fiftyLevelsOfNestingAreStillRead() {
        String yaml = "plans:\n  - name: basic\n    apiStages: [{stage: test}]\n    description: " + "[".repeat(47)
                + "]".repeat(47) + "\n";

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 4: plans[basic].description: must be text, was a list", e.getMessage());
    }

    // ---- YAML abuse ----

    @Test
    void manyAliasesToCollectionsAreRefused() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'm'; c++) {
            yaml.append(c).append(": &").append(c).append(" [*").append((char) (c - 1)).append(", *").append((char) (c - 1))
                    .append("]\n");
        }

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.parse(yaml.toString(), "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 7: more than 10 aliases to lists or maps; a plan file needs no more",
                e.getMessage());
    }

    @Test
    void anAliasToTheListThatContainsItIsRefused() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.parse("plans: &p\n  - *p\n", "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 2: the alias *p refers to a collection that contains it", e.getMessage());
    }

    @Test
    void anAliasedThrottleIsReadLikeACopy() {
        Catalog catalog = PlanFile.parse("""
                plans:
                  - name: basic
                    throttle: &t { rateLimit: 10, burstLimit: 20 }
                    apiStages: [{stage: test}]
                  - name: pro
                    throttle: *t
                    apiStages: [{stage: test}]
                """, "plans.yaml");

        assertEquals(new Throttle(10, 20), catalog.plan("pro").orElseThrow().throttle());
    }

    @Test
    void aSecondYamlDocumentIsRefusedNamingItsLine() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.parse("plans: []\n---\nplans: []\n", "plans.yaml"));

        assertEquals("usage-plans: plans.yaml, line 2: a plan file is one YAML document; a second one ('---') starts here",
                e.getMessage());
    }

    private static String value(int i) {
        return "key-" + i + "-0123456789abcdef";
    }
}
