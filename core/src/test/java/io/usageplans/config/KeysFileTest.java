package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from a CSV file in AWS's import format, named by the plan file's {@code apiKeysFile}. */
class KeysFileTest {

    private static final String PLANS = """
            plans:
              - name: basic
                quota: { limit: 10, period: DAY }
                apiStages:
                  - stage: test
              - name: premium
                apiStages:
                  - stage: test
              - name: reports
                apiStages:
                  - stage: reports
            """;

    private static final String CSV = """
            key,name,description,enabled,usageplanIds
            partner-key-value-0123456789,partner,"first partner, EU",true,premium
            trial-key-value-0123456789,trial,,false,basic
            "multi-key-value-0123456789",multi,"two plans, on two stages",,"basic,reports"
            """;

    @Test
    void keysComeFromTheCsvFileNextToThePlanFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("keys.csv"), CSV);
        Path plans = write(dir, PLANS + "apiKeysFile: keys.csv\n");

        Catalog catalog = PlanFile.load(plans);

        assertEquals(List.of("partner", "trial", "multi"), catalog.apiKeys().stream().map(ApiKey::name).toList());
        ApiKey multi = catalog.apiKeys().get(2);
        assertEquals(List.of("basic", "reports"), multi.plans());
        assertEquals("two plans, on two stages", multi.description());
        assertEquals("mult…6789", multi.hint());
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").build()) {
            Decision partner = engine.decide("partner-key-value-0123456789", "GET", "/pets");
            assertEquals(Decision.Outcome.ALLOWED, partner.outcome());
            assertEquals("premium", partner.planName());
            assertEquals(Decision.ForbiddenReason.DISABLED_KEY, engine.decide("trial-key-value-0123456789", "GET", "/pets")
                    .forbiddenReason());
            assertEquals("basic", engine.decide("multi-key-value-0123456789", "GET", "/pets").planName());
        }
    }

    @Test
    void keysOfThePlanFileAndOfTheCsvFileAreTogetherInTheCatalog(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/keys.csv"), CSV);
        Path plans = write(dir, PLANS + """
                apiKeys:
                  - name: inline
                    value: inline-key-value-0123456789
                    plans: [basic]
                apiKeysFile: secrets/keys.csv
                """);

        Catalog catalog = PlanFile.load(plans);

        assertEquals(List.of("inline", "partner", "trial", "multi"), catalog.apiKeys().stream().map(ApiKey::name).toList());
    }

    @Test
    void anAbsolutePathNamesTheCsvFileAnywhere(@TempDir Path dir, @TempDir Path elsewhere) throws IOException {
        Path csv = elsewhere.resolve("all-keys.csv");
        Files.writeString(csv, CSV);

        Catalog catalog = PlanFile.load(write(dir, PLANS + "apiKeysFile: " + csv.toAbsolutePath() + "\n"));

        assertEquals(3, catalog.apiKeys().size());
    }

    @Test
    void aPlanFileOnTheClasspathFindsItsKeysFileInTheSameFolder() {
        Catalog catalog = PlanFileLocator.load(Map.of(PlanFileLocator.CONFIG, "classpath:keysfile/usage-plans.yaml")::get,
                getClass().getClassLoader());

        assertEquals(List.of("classpath-customer"), catalog.apiKeys().stream().map(ApiKey::name).toList());
        assertEquals("from the classpath, next to the plan file", catalog.apiKeys().get(0).description());
    }

    @Test
    void aClasspathLocationNamesTheKeysFileOnTheClasspath(@TempDir Path dir) throws IOException {
        Catalog catalog = PlanFile.load(write(dir, PLANS + "apiKeysFile: classpath:keysfile/keys.csv\n"));

        assertEquals(List.of("classpath-customer"), catalog.apiKeys().stream().map(ApiKey::name).toList());
    }

    @Test
    void aMissingKeysFileFailsNamingThePlanFileLineAndTheResolvedPath(@TempDir Path dir) throws IOException {
        Path plans = write(dir, PLANS + "apiKeysFile: nowhere.csv\n");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.load(plans));

        assertEquals("usage-plans: " + plans + ", line 12: apiKeysFile: the keys file nowhere.csv does not exist (resolved to "
                + dir.resolve("nowhere.csv").toAbsolutePath() + ")", e.getMessage());
    }

    @Test
    void badRowsFailNamingTheCsvFileTheLineTheKeyAndTheValueAfterThePlanFilesOwnProblems(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("keys.csv");
        Files.writeString(csv, """
                key,name,description,enabled,usageplanIds
                partner-key-value-0123456789,partner,,true,premium
                short-key,shorty,,true,basic
                maybe-key-value-0123456789,maybe,,perhaps,basic
                gold-key-value-0123456789,golden,,true,gold
                two-fields,only
                partner-key-value-0123456789,copy,,true,basic
                nameless-key-value-0123456789,,,true,basic
                inline-key-value-9876543210,inline,,true,basic
                """);
        Path plans = write(dir, PLANS.replace("limit: 10", "limit: -10") + """
                apiKeys:
                  - name: inline
                    value: inline-key-value-0123456789
                    plans: [basic]
                apiKeysFile: keys.csv
                """);

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.load(plans));

        assertEquals(List.of(
                "usage-plans: " + plans + ", line 3: plans[basic].quota.limit: must be a whole number of requests of at least 1, "
                        + "was -10",
                "usage-plans: " + csv + ", line 3: apiKeys[shorty].key: the key value has 9 characters; a key needs 20 to 128 "
                        + "(s…y)",
                "usage-plans: " + csv + ", line 4: apiKeys[maybe].enabled: must be true or false, was 'perhaps'",
                "usage-plans: " + csv + ", line 5: apiKeys[golden].plans: unknown plan 'gold'; known plans are [basic, premium, "
                        + "reports]",
                "usage-plans: " + csv + ", line 6: this line has 2 fields, the header has 5",
                "usage-plans: " + csv + ", line 7: apiKeys[copy]: key 'copy' has the same value as key 'partner'; key values "
                        + "must be unique",
                "usage-plans: " + csv + ", line 8: apiKeys[line 8].name: is required",
                "usage-plans: " + csv + ", line 9: apiKeys[inline]: key 'inline' is defined twice; key names must be unique"),
                e.problems().stream().map(Throwable::getMessage).toList());
        assertFalse(e.getMessage().contains("short-key"), "a key value is never shown in full");
    }

    @Test
    void aCsvHeaderWithAnUnknownColumnFailsNamingTheColumnAndTheColumnsThereAre(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("keys.csv");
        Files.writeString(csv, "key,name,plan\nsome-key-value-0123456789,k,basic\n");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.load(write(dir, PLANS + "apiKeysFile: keys.csv\n")));

        assertEquals("usage-plans: " + csv + ", line 1: unknown column 'plan'; the columns are key, name, description, enabled "
                + "and usageplanIds", e.getMessage());
    }

    @Test
    void aKeysFileBeyondTheSizeLimitFailsNamingTheLimitAndTheSetting(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("keys.csv");
        Files.writeString(csv, CSV);
        Path plans = write(dir, PLANS + "apiKeysFile: keys.csv\n");
        Map<String, String> params = Map.of(PlanFileLocator.CONFIG, plans.toString(), PlanFile.MAX_BYTES,
                String.valueOf(Files.size(plans)));

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileLocator.load(params::get, getClass().getClassLoader()));

        assertEquals("usage-plans: " + csv + ": the keys file has " + Files.size(csv) + " bytes, more than the limit of "
                + Files.size(plans) + " (init-param usageplans.config.max-bytes); to read it, raise usageplans.config.max-bytes "
                + "(init-param, context-param, system property, or environment variable USAGEPLANS_CONFIG_MAX_BYTES)",
                e.getMessage());
    }

    private static Path write(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("usage-plans.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
