package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan-file reader: valid YAML and JSON, one located, value-naming error for each kind of bad input, all at once. */
class PlanFileTest {

    private static final String FILE = "plans.yaml";

    /** The tutorial's plans and keys, plus a quota with offset and time zone, a second stage and a plan without limits. */
    private static final String VALID_YAML = """
            # A usage-plan file in the shape of AWS API Gateway's usage plans.
            api: MyProjectAPI
            excludePaths:
              - /health
            plans:
              - name: basic
                description: 10 requests per second, bursts of 20, 10 requests per day
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 10, period: DAY }
                apiStages:
                  - stage: test
              - name: premium
                description: paying customers
                throttle:
                  rateLimit: 20.5
                  burstLimit: 40
                quota: { limit: 1000, period: WEEK, offset: 1, timeZone: Europe/Berlin }
                apiStages:
                  - stage: test
                    throttle:
                      "/pets/{petId}/GET": { rateLimit: 1, burstLimit: 3 }
                  - stage: prod
              - name: dev
                apiStages:
                  - stage: dev
            apiKeys:
              - name: basic-customer
                value: demo-basic-key-0123456789
                plans: [basic]
              - name: premium-customer
                description: pays
                value: demo-premium-key-0123456789
                enabled: true
                plans: [premium]
              - name: former-customer
                value: demo-disabled-key-0123456789
                enabled: false
                plans:
                  - basic
                  - dev
            """;

    /** {@link #VALID_YAML} as JSON, indented with tabs (escaped so the text block keeps them). */
    private static final String VALID_JSON = """
            {
            \t"api": "MyProjectAPI",
            \t"excludePaths": ["/health"],
            \t"plans": [
            \t\t{
            \t\t\t"name": "basic",
            \t\t\t"description": "10 requests per second, bursts of 20, 10 requests per day",
            \t\t\t"throttle": {"rateLimit": 10, "burstLimit": 20},
            \t\t\t"quota": {"limit": 10, "period": "DAY"},
            \t\t\t"apiStages": [{"stage": "test"}]
            \t\t},
            \t\t{
            \t\t\t"name": "premium",
            \t\t\t"description": "paying customers",
            \t\t\t"throttle": {
            \t\t\t\t"rateLimit": 20.5,
            \t\t\t\t"burstLimit": 40
            \t\t\t},
            \t\t\t"quota": {"limit": 1000, "period": "WEEK", "offset": 1, "timeZone": "Europe/Berlin"},
            \t\t\t"apiStages": [
            \t\t\t\t{
            \t\t\t\t\t"stage": "test",
            \t\t\t\t\t"throttle": {
            \t\t\t\t\t\t"/pets/{petId}/GET": {"rateLimit": 1, "burstLimit": 3}
            \t\t\t\t\t}
            \t\t\t\t},
            \t\t\t\t{"stage": "prod"}
            \t\t\t]
            \t\t},
            \t\t{"name": "dev", "apiStages": [{"stage": "dev"}]}
            \t],
            \t"apiKeys": [
            \t\t{"name": "basic-customer", "value": "demo-basic-key-0123456789", "plans": ["basic"]},
            \t\t{
            \t\t\t"name": "premium-customer",
            \t\t\t"description": "pays",
            \t\t\t"value": "demo-premium-key-0123456789",
            \t\t\t"enabled": true,
            \t\t\t"plans": ["premium"]
            \t\t},
            \t\t{
            \t\t\t"name": "former-customer",
            \t\t\t"value": "demo-disabled-key-0123456789",
            \t\t\t"enabled": false,
            \t\t\t"plans": ["basic", "dev"]
            \t\t}
            \t]
            }
            """;

    /** Two plans on stage {@code test}; keys appended to it start on line 10. */
    private static final String TWO_PLANS_THEN_KEYS = """
            plans:
              - name: basic
                apiStages:
                  - stage: test
              - name: premium
                apiStages:
                  - stage: test
            # keys follow
            apiKeys:
            """;

    // ---- valid files ----

    @Test
    void validYamlParsesIntoTheExpectedCatalog() {
        Catalog catalog = PlanFile.parse(VALID_YAML, FILE);

        assertEquals("MyProjectAPI", catalog.api());
        assertEquals(List.of("/health"), catalog.excludePaths());
        assertEquals(expectedPlans(), catalog.plans());

        Plan premium = catalog.plan("premium").orElseThrow();
        Map<MethodKey, Throttle> methodThrottles = premium.stage("test").orElseThrow().methodThrottles();
        assertEquals(Map.of(MethodKey.parse("/pets/{petId}/GET"), new Throttle(1, 3)), methodThrottles);
        assertEquals("/pets/{petId}/GET", methodThrottles.keySet().iterator().next().toString());
        assertTrue(premium.stage("prod").orElseThrow().methodThrottles().isEmpty());

        List<ApiKey> keys = catalog.apiKeys();
        assertEquals(List.of("basic-customer", "premium-customer", "former-customer"), keys.stream().map(ApiKey::name).toList());
        assertEquals(List.of(true, true, false), keys.stream().map(ApiKey::enabled).toList());
        assertEquals(List.of(List.of("basic"), List.of("premium"), List.of("basic", "dev")),
                keys.stream().map(ApiKey::plans).toList());
        assertEquals("pays", keys.get(1).description());
        assertTrue(keys.get(0).matchesSha256(ApiKey.sha256("demo-basic-key-0123456789")));
        assertTrue(keys.get(1).matchesSha256(ApiKey.sha256("demo-premium-key-0123456789")));
        assertTrue(keys.get(2).matchesSha256(ApiKey.sha256("demo-disabled-key-0123456789")));
        assertEquals("demo…6789", keys.get(0).hint());
        assertEquals(premium, catalog.planOf(keys.get(1), "prod").orElseThrow());
    }

    @Test
    void jsonWithTabIndentationParsesIntoTheSameCatalogAsYaml() {
        assertTrue(VALID_JSON.contains("\n\t\t\t\""), "the JSON must really be indented with tabs");
        Catalog yaml = PlanFile.parse(VALID_YAML, FILE);
        Catalog json = PlanFile.parse(VALID_JSON, "plans.json");

        assertEquals(yaml.api(), json.api());
        assertEquals(yaml.excludePaths(), json.excludePaths());
        assertEquals(yaml.plans(), json.plans());
        assertEquals(expectedPlans(), json.plans());
        assertEquals(yaml.apiKeys().stream().map(ApiKey::name).toList(), json.apiKeys().stream().map(ApiKey::name).toList());
        assertEquals(yaml.apiKeys().stream().map(ApiKey::plans).toList(), json.apiKeys().stream().map(ApiKey::plans).toList());
        assertEquals(yaml.apiKeys().stream().map(ApiKey::enabled).toList(),
                json.apiKeys().stream().map(ApiKey::enabled).toList());
        assertEquals(yaml.apiKeys(), json.apiKeys(), "same names, descriptions, flags, plans and value hashes");
    }

    // ---- valueSha256 ----

    @Test
    void keyGivenByValueSha256MatchesTheHashOfItsValue() {
        String hex = ApiKey.sha256Hex("demo-hashed-key-0123456789");
        Catalog catalog = PlanFile.parse(TWO_PLANS_THEN_KEYS + """
                  - name: hashed
                    valueSha256: %s
                    plans: [basic]
                  - name: hashed-upper-case
                    valueSha256: %s
                """.formatted(hex, ApiKey.sha256Hex("demo-other-key-0123456789").toUpperCase()), FILE);

        ApiKey hashed = catalog.apiKeys().get(0);
        assertTrue(hashed.matchesSha256(ApiKey.sha256("demo-hashed-key-0123456789")));
        assertFalse(hashed.matchesSha256(ApiKey.sha256("demo-hashed-key-0123456780")));
        assertEquals("sha256:" + hex.substring(0, 8) + "…", hashed.hint());
        assertTrue(catalog.apiKeys().get(1).matchesSha256(ApiKey.sha256("demo-other-key-0123456789")),
                "upper-case hex is the same hash");
    }

    @Test
    void valueSha256ThatIsNotHexFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: hashed
                    valueSha256: abc123
                """);
        assertEquals("usage-plans: plans.yaml, line 11: apiKeys[hashed].valueSha256: must be 64 hexadecimal digits "
                + "(the SHA-256 of the key value), was 6 characters (a…3)", e.getMessage());
        assertLocated(e, 11, "apiKeys[hashed].valueSha256");
    }

    @Test
    void valueSha256OfAnotherKeysValueFailsAsADuplicateValue() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: plain
                    value: demo-shared-key-0123456789
                  - name: hashed
                    valueSha256: %s
                """.formatted(ApiKey.sha256Hex("demo-shared-key-0123456789")));
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[hashed]: key 'hashed' has the same value as key 'plain'; "
                + "key values must be unique", e.getMessage());
        assertLocated(e, 12, "apiKeys[hashed]");
    }

    @Test
    void shadowTrueReadsAsAPlanInShadowModeAndEnforcingIsTheDefault() {
        Catalog catalog = PlanFile.parse("""
                plans:
                  - name: trial
                    shadow: true
                    quota: { limit: 10, period: DAY }
                  - name: basic
                    quota: { limit: 10, period: DAY }
                  - name: strict
                    shadow: false
                """, "plans.yaml");
        assertTrue(catalog.plan("trial").orElseThrow().shadow());
        assertFalse(catalog.plan("basic").orElseThrow().shadow());
        assertFalse(catalog.plan("strict").orElseThrow().shadow());
    }

    @Test
    void shadowThatIsNeitherTrueNorFalseFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: trial
                    quota: { limit: 10, period: DAY }
                    shadow: report-only
                """);
        assertEquals("usage-plans: plans.yaml, line 4: plans[trial].shadow: must be true or false, was 'report-only'",
                e.getMessage());
        assertLocated(e, 4, "plans[trial].shadow");
    }

    // ---- bad plans ----

    @Test
    void unknownPeriodFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota:
                      limit: 10
                      period: FORTNIGHT
                """);
        assertEquals("usage-plans: plans.yaml, line 5: plans[basic].quota.period: unknown period 'FORTNIGHT'; "
                + "use DAY, WEEK or MONTH", e.getMessage());
        assertLocated(e, 5, "plans[basic].quota.period");
    }

    @Test
    void misspelledThrottleFieldFailsNamingFileLineEntryAndAllowedFields() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle:
                      rateLimt: 10
                      burstLimit: 20
                """);
        assertEquals("usage-plans: plans.yaml, line 4: plans[premium].throttle.rateLimt: unknown field 'rateLimt'; "
                + "allowed here: [burstLimit, countStatuses, rateLimit]", e.getMessage());
        assertLocated(e, 4, "plans[premium].throttle.rateLimt");
    }

    @Test
    void unknownTopLevelFieldFailsNamingFileLineAndField() {
        UsagePlansConfigException e = fails("""
                api: MyProjectAPI
                plan:
                  - name: basic
                """);
        assertEquals("usage-plans: plans.yaml, line 2: plan: unknown field 'plan'; "
                + "allowed here: [api, apiKeys, apiKeysFile, excludePaths, only, plans, responses, skip, stages]", e.getMessage());
        assertLocated(e, 2, "plan");
    }

    @Test
    void unknownKeyFieldFailsNamingFileLineAndField() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: k1
                    valu: demo-premium-key-0123456789
                """);
        String message = e.getMessage();
        assertEquals("usage-plans: plans.yaml, line 11: apiKeys[k1].valu: unknown field 'valu'; allowed here: "
                + "[description, enabled, name, plans, value, valueSha256]", message);
        assertEquals(11, e.line());
        assertFalse(message.contains("demo-premium-key-0123456789"), message);
    }

    @Test
    void aFileWithoutPlansFailsBecauseNothingWouldBeMetered() {
        UsagePlansConfigException e = fails("""
                api: MyProjectAPI
                """);
        assertEquals("usage-plans: plans.yaml, line 1: plans: at least one plan is required; without plans nothing is metered",
                e.getMessage());
    }

    @Test
    void negativeRateLimitFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: -5, burstLimit: 20 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[premium].throttle.rateLimit: must be a number of requests "
                + "per second greater than 0 (like 10 or 0.5), was -5", e.getMessage());
        assertLocated(e, 3, "plans[premium].throttle.rateLimit");
    }

    @Test
    void aRateLimitTheRateLimitFieldsCannotStateFailsNamingTheRange() {
        for (String rate : new String[] {"0.0001", "1e-300", "1000000000000"}) {
            UsagePlansConfigException e = fails("""
                    plans:
                      - name: premium
                        throttle: { rateLimit: %s, burstLimit: 20 }
                    """.formatted(rate));
            assertEquals("usage-plans: plans.yaml, line 3: plans[premium].throttle.rateLimit: must be between 0.001 (one "
                    + "request per 1,000 s) and 999,999,999,999 requests per second, so that the RateLimit fields can state it, "
                    + "was " + rate, e.getMessage());
        }
        assertEquals(0.001, Throttle.rateLimit(0.001).burstLimit(1).rateLimit());
        assertThrows(IllegalArgumentException.class, () -> Throttle.rateLimit(1e-9).burstLimit(1), "in code too");
    }

    @Test
    void zeroRateLimitFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle:
                      burstLimit: 20
                      rateLimit: 0
                """);
        assertEquals("usage-plans: plans.yaml, line 5: plans[premium].throttle.rateLimit: must be a number of requests "
                + "per second greater than 0 (like 10 or 0.5), was 0", e.getMessage());
        assertLocated(e, 5, "plans[premium].throttle.rateLimit");
    }

    @Test
    void zeroBurstLimitFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: 1, burstLimit: 0 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[premium].throttle.burstLimit: must be a whole number of "
                + "requests of at least 1, was 0", e.getMessage());
        assertLocated(e, 3, "plans[premium].throttle.burstLimit");
    }

    @Test
    void fractionalBurstLimitFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: 1, burstLimit: 2.5 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[premium].throttle.burstLimit: must be a whole number, "
                + "was '2.5'", e.getMessage());
        assertLocated(e, 3, "plans[premium].throttle.burstLimit");
    }

    @Test
    void zeroQuotaLimitFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 0, period: DAY }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[basic].quota.limit: must be a whole number of requests "
                + "of at least 1, was 0", e.getMessage());
        assertLocated(e, 3, "plans[basic].quota.limit");
    }

    @Test
    void dayOffsetOtherThanZeroFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY, offset: 1 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[basic].quota.offset: for period DAY must be 0, was 1",
                e.getMessage());
        assertLocated(e, 3, "plans[basic].quota.offset");
    }

    @Test
    void weekOffsetSevenFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: WEEK, offset: 7 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[basic].quota.offset: for period WEEK must be "
                + "0 (Sunday) to 6 (Saturday), was 7", e.getMessage());
        assertLocated(e, 3, "plans[basic].quota.offset");
    }

    @Test
    void monthOffsetTwentyEightFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota:
                      limit: 10
                      period: MONTH
                      offset: 28
                """);
        assertEquals("usage-plans: plans.yaml, line 6: plans[basic].quota.offset: for period MONTH must be "
                + "0 (the 1st) to 27 (the 28th), was 28", e.getMessage());
        assertLocated(e, 6, "plans[basic].quota.offset");
    }

    @Test
    void unknownTimeZoneFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY, timeZone: Mars/Olympus }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[basic].quota.timeZone: unknown time zone 'Mars/Olympus'; "
                + "use an IANA zone id like UTC, Europe/Berlin or America/New_York", e.getMessage());
        assertLocated(e, 3, "plans[basic].quota.timeZone");
    }

    @Test
    void duplicatePlanNameFailsAtTheSecondPlan() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    throttle: { rateLimit: 1, burstLimit: 2 }
                  - name: basic
                    throttle: { rateLimit: 3, burstLimit: 4 }
                """);
        assertEquals("usage-plans: plans.yaml, line 4: plans[basic]: plan 'basic' is defined twice; "
                + "plan names must be unique", e.getMessage());
        assertLocated(e, 4, "plans[basic]");
    }

    @Test
    void methodKeyWithoutLeadingSlashFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    apiStages:
                      - stage: test
                        throttle:
                          "pets/GET": { rateLimit: 1, burstLimit: 3 }
                """);
        assertEquals("usage-plans: plans.yaml, line 6: plans[premium].apiStages[0].throttle[\"pets/GET\"]: "
                + "method key must start with / (like /pets/{petId}/GET), was 'pets/GET'", e.getMessage());
        assertLocated(e, 6, "plans[premium].apiStages[0].throttle[\"pets/GET\"]");
    }

    @Test
    void methodKeyWithUnknownHttpMethodFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    apiStages:
                      - stage: prod
                      - stage: test
                        throttle:
                          "/pets/GET": { rateLimit: 2, burstLimit: 4 }
                          "/pets/FETCH": { rateLimit: 1, burstLimit: 3 }
                """);
        assertEquals("usage-plans: plans.yaml, line 8: plans[premium].apiStages[1].throttle[\"/pets/FETCH\"]: "
                + "HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was 'FETCH'",
                e.getMessage());
        assertLocated(e, 8, "plans[premium].apiStages[1].throttle[\"/pets/FETCH\"]");
    }

    // ---- bad keys ----

    @Test
    void duplicateKeyNameFailsAtTheSecondKey() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: customer
                    value: demo-first-key-0123456789
                  - name: customer
                    value: demo-second-key-0123456789
                """);
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[customer]: key 'customer' is defined twice; "
                + "key names must be unique", e.getMessage());
        assertLocated(e, 12, "apiKeys[customer]");
    }

    @Test
    void duplicateKeyValueFailsNamingBothKeysWithoutRevealingTheValue() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: first
                    value: demo-shared-key-0123456789
                    plans: [basic]
                  - name: second
                    value: demo-shared-key-0123456789
                    plans: [premium]
                """);
        assertEquals("usage-plans: plans.yaml, line 13: apiKeys[second]: key 'second' has the same value as key 'first'; "
                + "key values must be unique", e.getMessage());
        assertLocated(e, 13, "apiKeys[second]");
        assertFalse(e.getMessage().contains("demo-shared-key-0123456789"));
    }

    @Test
    void keyOnAnUnknownPlanFailsNamingTheLineOfItsPlansAndTheKnownPlans() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: customer
                    value: demo-customer-key-0123456789
                    plans: [gold]
                """);
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[customer].plans: unknown plan 'gold'; "
                + "known plans are [basic, premium]", e.getMessage());
        assertLocated(e, 12, "apiKeys[customer].plans");
    }

    @Test
    void keyWithTwoPlansOnTheSameStageFailsNamingBothPlansAndTheStage() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: customer
                    value: demo-customer-key-0123456789
                    plans:
                      - basic
                      - premium
                """);
        assertEquals("usage-plans: plans.yaml, line 13: apiKeys[customer].plans: plans 'basic' and 'premium' both apply "
                + "to stage 'test'; a key may have at most one plan per stage", e.getMessage());
        assertLocated(e, 13, "apiKeys[customer].plans");
    }

    @Test
    void keyValueOf19CharactersFailsWithoutRevealingTheValue() {
        String value = "demo-key-0123456789";
        assertEquals(19, value.length());
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: short
                    value: %s
                """.formatted(value));
        assertEquals("usage-plans: plans.yaml, line 11: apiKeys[short].value: the key value has 19 characters; "
                + "a key needs 20 to 128 (demo…6789)", e.getMessage());
        assertLocated(e, 11, "apiKeys[short].value");
        assertFalse(e.getMessage().contains(value), "the message must not reveal the key value");
    }

    @Test
    void keyValueOf129CharactersFailsWithoutRevealingTheValue() {
        String value = "long" + "x".repeat(121) + "6789";
        assertEquals(129, value.length());
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: long
                    plans: [basic]
                    value: %s
                """.formatted(value));
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[long].value: the key value has 129 characters; "
                + "a key needs 20 to 128 (long…6789)", e.getMessage());
        assertLocated(e, 12, "apiKeys[long].value");
        assertFalse(e.getMessage().contains(value), "the message must not reveal the key value");
        assertFalse(e.getMessage().contains("x".repeat(8)), "the message must not reveal the key value");
    }

    @Test
    void keyValueWithASpaceFailsWithoutRevealingTheValue() {
        String value = "demo key-0123456789abc";
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: spaced
                    value: "%s"
                """.formatted(value));
        assertEquals("usage-plans: plans.yaml, line 11: apiKeys[spaced].value: the key value has a character that is "
                + "not printable ASCII or is a space at position 5 (demo…9abc)", e.getMessage());
        assertLocated(e, 11, "apiKeys[spaced].value");
        assertFalse(e.getMessage().contains(value), "the message must not reveal the key value");
        assertFalse(e.getMessage().contains("0123456789"), "the message must not reveal the key value");
    }

    @Test
    void keyValueWithALeadingSpaceFailsWithoutRevealingTheValue() {
        String value = " demo-key-0123456789a";
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: spaced
                    value: "%s"
                """.formatted(value));
        assertLocated(e, 11, "apiKeys[spaced].value");
        assertTrue(e.getMessage().contains("space"), e.getMessage());
        assertFalse(e.getMessage().contains(value.trim()), "the message must not reveal the key value");
    }

    @Test
    void keyValueMistakenlyWrittenAsValueSha256IsNotRevealed() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: hashed
                    valueSha256: demo-premium-key-0123456789
                """);
        assertLocated(e, 11, "apiKeys[hashed].valueSha256");
        assertFalse(e.getMessage().contains("demo-premium-key-0123456789"), e.getMessage());
    }

    @Test
    void keyWithBothValueAndValueSha256Fails() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: both
                    value: demo-both-key-0123456789
                    valueSha256: %s
                """.formatted(ApiKey.sha256Hex("demo-both-key-0123456789")));
        assertEquals("usage-plans: plans.yaml, line 10: apiKeys[both]: has both 'value' and 'valueSha256'; give one",
                e.getMessage());
        assertLocated(e, 10, "apiKeys[both]");
        assertFalse(e.getMessage().contains("demo-both-key-0123456789"));
    }

    @Test
    void keyWithNeitherValueNorValueSha256Fails() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: valueless
                    plans: [basic]
                """);
        assertEquals("usage-plans: plans.yaml, line 10: apiKeys[valueless]: needs a 'value' or a 'valueSha256'",
                e.getMessage());
        assertLocated(e, 10, "apiKeys[valueless]");
    }

    @Test
    void enabledMaybeFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: undecided
                    value: demo-undecided-key-0123456789
                    enabled: maybe
                """);
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[undecided].enabled: must be true or false, was 'maybe'",
                e.getMessage());
        assertLocated(e, 12, "apiKeys[undecided].enabled");
    }

    // ---- bad files ----

    @Test
    void invalidYamlSyntaxFailsNamingFileAndLine() {
        UsagePlansConfigException e = fails("""
                api: MyProjectAPI
                plans:
                  - name: basic
                   description: indented one space too little
                """);
        assertEquals("usage-plans: plans.yaml, line 4: not valid YAML/JSON: expected <block end>, "
                + "but found '<block mapping start>'", e.getMessage());
        assertEquals(FILE, e.source());
        assertEquals(4, e.line());
    }

    @Test
    void invalidJsonSyntaxFailsNamingFileAndLine() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.parse("{\n\t\"plans\": [\n\t\t{\"name\": \"basic\",, }\n\t]\n}\n", "plans.json"));
        assertEquals("usage-plans: plans.json, line 3: not valid JSON: an object key is missing before ',' (column 20)",
                e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void emptyFileFailsNamingTheFile() {
        for (String empty : List.of("", "\n\n", "# only a comment\n")) {
            UsagePlansConfigException e = fails(empty);
            assertEquals("usage-plans: plans.yaml: the plan file is empty; it needs at least 'plans'", e.getMessage());
            assertEquals(FILE, e.source());
        }
    }

    @Test
    void rateLimitWithJavaFloatSuffixFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: 10f, burstLimit: 20 }
                """);
        assertLocated(e, 3, "plans[premium].throttle.rateLimit");
        assertTrue(e.getMessage().contains("10f"), e.getMessage());
    }

    // ---- several mistakes: all reported at once ----

    @Test
    void threeMistakesInOneFileAreAllReportedAtOnceWithTheirLines() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: -5, burstLimit: 40 }
                  - name: basic
                    quota:
                      limit: 10
                      period: FORTNIGHT
                apiKeys:
                  - name: hashed
                    valueSha256: abc123
                    plans: [premium]
                """);
        String negativeRate = "usage-plans: plans.yaml, line 3: plans[premium].throttle.rateLimit: must be a number of requests "
                + "per second greater than 0 (like 10 or 0.5), was -5";
        String unknownPeriod = "usage-plans: plans.yaml, line 7: plans[basic].quota.period: unknown period 'FORTNIGHT'; "
                + "use DAY, WEEK or MONTH";
        String badHash = "usage-plans: plans.yaml, line 10: apiKeys[hashed].valueSha256: must be 64 hexadecimal digits "
                + "(the SHA-256 of the key value), was 6 characters (a…3)";
        List<UsagePlansConfigException> problems = e.problems();
        assertEquals(3, problems.size(), e.getMessage());
        assertEquals(negativeRate, problems.get(0).getMessage());
        assertLocated(problems.get(0), 3, "plans[premium].throttle.rateLimit");
        assertEquals(unknownPeriod, problems.get(1).getMessage());
        assertLocated(problems.get(1), 7, "plans[basic].quota.period");
        assertEquals(badHash, problems.get(2).getMessage());
        assertLocated(problems.get(2), 10, "apiKeys[hashed].valueSha256");
        assertEquals("usage-plans: 3 problems:\n" + negativeRate + "\n" + unknownPeriod + "\n" + badHash, e.getMessage());
        assertLocated(e, 3, "plans[premium].throttle.rateLimit"); // the first problem's, for callers that read one
        assertEquals(problems.get(0).problem(), e.problem());
    }

    @Test
    void oneMistakeStillFailsWithExactlyTheSingleMessageOfBefore() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: -5, burstLimit: 40 }
                """);
        assertEquals("usage-plans: plans.yaml, line 3: plans[premium].throttle.rateLimit: must be a number of requests "
                + "per second greater than 0 (like 10 or 0.5), was -5", e.getMessage());
        assertEquals(List.of(e), e.problems());
        assertEquals("must be a number of requests per second greater than 0 (like 10 or 0.5), was -5", e.problem());
    }

    @Test
    void mistakesInTheFieldsOfOnePlanAreAllReportedInFileOrder() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    failMode: AJAR
                    quota: { limit: 0, period: DAY, timeZone: Mars/Olympus }
                    throttle: { rateLimit: -5, burstLimit: 0 }
                    apiStages:
                      - stage: test
                        throttle:
                          "pets/GET": { rateLimit: 1, burstLimit: 3 }
                          "/pets/POST": { cost: 0 }
                      - stage: test
                """);
        assertEquals(List.of(
                        "3 plans[premium].failMode",
                        "4 plans[premium].quota.limit",
                        "4 plans[premium].quota.timeZone",
                        "5 plans[premium].throttle.rateLimit",
                        "5 plans[premium].throttle.burstLimit",
                        "9 plans[premium].apiStages[0].throttle[\"pets/GET\"]",
                        "10 plans[premium].apiStages[0].throttle[\"/pets/POST\"].cost",
                        "11 plans[premium].apiStages[1].stage"),
                e.problems().stream().map(p -> p.line() + " " + p.entry()).toList(), e.getMessage());
        assertTrue(e.getMessage().startsWith("usage-plans: 8 problems:\n"), e.getMessage());
        assertTrue(e.getMessage().contains("\nusage-plans: plans.yaml, line 4: plans[premium].quota.timeZone: unknown time zone "
                + "'Mars/Olympus'"), e.getMessage());
        assertTrue(e.getMessage().contains("\nusage-plans: plans.yaml, line 5: plans[premium].throttle.burstLimit: must be a whole "
                + "number of requests of at least 1, was 0"), e.getMessage());
    }

    @Test
    void mistakesInKeysExcludePathsResponsesAndConditionsAreAllReported() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: short
                    value: too-short
                  - name: undecided
                    value: demo-undecided-key-0123456789
                    enabled: maybe
                excludePaths: [ /health, "/static/*/x", /ok ]
                responses:
                  rateLimitHeaders: perhaps
                  throttled: { status: 200 }
                skip:
                  - header: X-Internal
                    matches: "(["
                  - color: blue
                """);
        assertEquals(List.of("11 apiKeys[short].value", "14 apiKeys[undecided].enabled", "15 excludePaths",
                        "17 responses.rateLimitHeaders", "18 responses.throttled.status", "20 skip[0]",
                        "22 skip[1].color"),
                e.problems().stream().map(p -> p.line() + " " + p.entry()).toList(), e.getMessage());
        assertFalse(e.getMessage().contains("too-short"), "key values are never printed: " + e.getMessage());
    }

    @Test
    void aKeyOnAPlanWithAMistakeIsNotAlsoReportedAsOnAnUnknownPlan() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: premium
                    throttle: { rateLimit: -5, burstLimit: 40 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: customer
                    value: demo-customer-key-0123456789
                    plans: [premium]
                """);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertLocated(e, 3, "plans[premium].throttle.rateLimit");
    }

    @Test
    void aMisspelledFieldIsNotAlsoReportedAsAMissingOne() {
        UsagePlansConfigException e = fails("""
                plans:
                  - nmae: premium
                    throttle: { rateLimt: 5, burstLimit: 40 }
                    quota: { limit: 10, perod: DAY }
                apiKeys:
                  - name: customer
                    valeu: demo-customer-key-0123456789
                """);
        assertEquals(List.of("2 plans[line 2].nmae", "3 plans[line 2].throttle.rateLimt", "4 plans[line 2].quota.perod",
                        "7 apiKeys[customer].valeu"),
                e.problems().stream().map(p -> p.line() + " " + p.entry()).toList(), e.getMessage());
    }

    @Test
    void aMisspelledPlansFieldIsNotAlsoReportedAsNoPlansOrAsUnknownPlansOfKeys() {
        UsagePlansConfigException e = fails("""
                plan:
                  - name: basic
                apiKeys:
                  - name: customer
                    value: demo-customer-key-0123456789
                    plans: [basic]
                """);
        assertEquals("usage-plans: plans.yaml, line 1: plan: unknown field 'plan'; "
                + "allowed here: [api, apiKeys, apiKeysFile, excludePaths, only, plans, responses, skip, stages]", e.getMessage());
        assertEquals(List.of(e), e.problems());
    }

    @Test
    void catalogCrossChecksAreReportedAlongsideTheMistakesOfOtherEntries() {
        UsagePlansConfigException e = fails(TWO_PLANS_THEN_KEYS + """
                  - name: gold-customer
                    value: demo-gold-key-0123456789
                    plans: [gold]
                  - name: both-customer
                    value: demo-both-key-0123456789
                    plans: [basic, premium]
                  - name: copy
                    value: demo-gold-key-0123456789
                  - name: undecided
                    value: demo-undecided-key-0123456789
                    enabled: maybe
                """);
        assertEquals(List.of(
                        "usage-plans: plans.yaml, line 12: apiKeys[gold-customer].plans: unknown plan 'gold'; "
                                + "known plans are [basic, premium]",
                        "usage-plans: plans.yaml, line 15: apiKeys[both-customer].plans: plans 'basic' and 'premium' both "
                                + "apply to stage 'test'; a key may have at most one plan per stage",
                        "usage-plans: plans.yaml, line 16: apiKeys[copy]: key 'copy' has the same value as key "
                                + "'gold-customer'; key values must be unique",
                        "usage-plans: plans.yaml, line 20: apiKeys[undecided].enabled: must be true or false, was 'maybe'"),
                e.problems().stream().map(Throwable::getMessage).toList(), e.getMessage());
    }

    @Test
    void aGarbageFileReportsAtMostOneHundredProblemsAndCountsTheRest() {
        StringBuilder yaml = new StringBuilder("plans:\n");
        for (int i = 0; i < 150; i++) {
            yaml.append("  - name: p").append(i).append("\n    throttle: { rateLimit: -1, burstLimit: 1 }\n");
        }
        UsagePlansConfigException e = fails(yaml.toString());
        assertEquals(100, e.problems().size());
        assertLocated(e.problems().get(99), 201, "plans[p99].throttle.rateLimit");
        String message = e.getMessage();
        assertTrue(message.startsWith("usage-plans: 150 problems:\nusage-plans: plans.yaml, line 3: plans[p0].throttle"), message);
        assertTrue(message.endsWith("line 201: plans[p99].throttle.rateLimit: must be a number of requests per second greater "
                + "than 0 (like 10 or 0.5), was -1\n... and 50 more"), message);
        assertEquals(102, message.lines().count());
    }

    @Test
    void keyCrossChecksListOneHundredProblemsAndCountTheRest() {
        StringBuilder yaml = new StringBuilder(TWO_PLANS_THEN_KEYS);
        for (int i = 0; i < 120; i++) {
            yaml.append("  - name: k").append(i).append("\n    value: demo-same-key-0123456789\n");
        }
        UsagePlansConfigException e = fails(yaml.toString());
        assertEquals(100, e.problems().size());
        assertLocated(e, 12, "apiKeys[k1]");
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("usage-plans: 119 problems:", lines.get(0));
        assertEquals("usage-plans: plans.yaml, line 12: apiKeys[k1]: key 'k1' has the same value as key 'k0'; "
                + "key values must be unique", lines.get(1));
        assertEquals("... and 19 more", lines.get(lines.size() - 1));
        assertEquals(102, lines.size());
    }

    @Test
    void aKeyOnAnUnknownPlanNamesEveryPlanOfTheFileAlsoThoseWithMistakes() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: FORTNIGHT }
                  - name: premium
                apiKeys:
                  - name: customer
                    value: demo-customer-key-0123456789
                    plans: [basic, gold]
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertEquals("usage-plans: plans.yaml, line 8: apiKeys[customer].plans: unknown plan 'gold'; "
                + "known plans are [basic, premium]", e.problems().get(1).getMessage());
    }

    // ---- PlanFileLocator ----

    @Test
    void systemPropertyNamesThePlanFileToLoad(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("my-plans.yaml");
        Files.writeString(file, VALID_YAML, StandardCharsets.UTF_8);

        Catalog catalog = withConfigProperty(file.toString(),
                () -> PlanFileLocator.load(name -> null, PlanFileTest.class.getClassLoader()));

        assertEquals("MyProjectAPI", catalog.api());
        assertEquals(expectedPlans(), catalog.plans());
        assertEquals(List.of("basic-customer", "premium-customer", "former-customer"),
                catalog.apiKeys().stream().map(ApiKey::name).toList());
    }

    @Test
    void systemPropertyFileIsTheSourceNamedInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "plans:\n  - name: basic\n    throttle: { rateLimit: -1, burstLimit: 2 }\n");

        UsagePlansConfigException e = withConfigProperty(file.toString(), () -> assertThrows(UsagePlansConfigException.class,
                () -> PlanFileLocator.load(name -> null, PlanFileTest.class.getClassLoader())));

        assertEquals("usage-plans: " + file + ", line 3: plans[basic].throttle.rateLimit: must be a number of requests "
                + "per second greater than 0 (like 10 or 0.5), was -1", e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @Test
    void systemPropertyNamingAMissingFileFailsNamingThePropertyAndPath(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");

        UsagePlansConfigException e = withConfigProperty(missing.toString(), () -> assertThrows(
                UsagePlansConfigException.class, () -> PlanFileLocator.load(name -> null, PlanFileTest.class.getClassLoader())));

        assertEquals("usage-plans: " + missing + ": the plan file named by system property usageplans.config does not "
                + "exist (resolved to " + missing.toAbsolutePath() + ")", e.getMessage());
        assertTrue(e.getMessage().contains(PlanFileLocator.CONFIG));
        assertEquals(missing.toString(), e.source());
    }

    @Test
    void classpathLocationOfAMissingResourceFailsNamingTheLocationAndProperty() {
        UsagePlansConfigException e = withConfigProperty("classpath:no-such-usage-plans.yaml", () -> assertThrows(
                UsagePlansConfigException.class, () -> PlanFileLocator.load(name -> null, PlanFileTest.class.getClassLoader())));

        assertEquals("usage-plans: classpath:no-such-usage-plans.yaml: the plan file named by system property "
                + "usageplans.config is not on the classpath", e.getMessage());
        assertEquals("classpath:no-such-usage-plans.yaml", e.source());
    }

    @Test
    void classpathLocationLoadsAJsonResourceFromTheClassLoader(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tabbed-plans.json"), VALID_JSON, StandardCharsets.UTF_8);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            Catalog catalog = withConfigProperty("classpath:/tabbed-plans.json", () -> PlanFileLocator.load(name -> null, loader));
            assertEquals(expectedPlans(), catalog.plans());
        }
    }

    // ---- helpers ----

    private static List<Plan> expectedPlans() {
        return List.of(
                Plan.builder("basic").description("10 requests per second, bursts of 20, 10 requests per day")
                        .throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build(),
                Plan.builder("premium").description("paying customers").throttle(Throttle.rateLimit(20.5).burstLimit(40))
                        .quota(new Quota(1000, QuotaPeriod.WEEK, 1, ZoneId.of("Europe/Berlin")))
                        .stage(ApiStage.of("test").withMethodThrottle("/pets/{petId}/GET", new Throttle(1, 3)))
                        .stage("prod").build(),
                Plan.builder("dev").stage("dev").build());
    }

    private static UsagePlansConfigException fails(String yaml) {
        return assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, FILE));
    }

    private static void assertLocated(UsagePlansConfigException e, int line, String entry) {
        assertEquals(FILE, e.source(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(entry, e.entry(), e.getMessage());
    }

    /** Runs {@code action} with the system property {@code usageplans.config} set, then restores it. */
    private static <T> T withConfigProperty(String value, Supplier<T> action) {
        String previous = System.getProperty(PlanFileLocator.CONFIG);
        System.setProperty(PlanFileLocator.CONFIG, value);
        try {
            return action.get();
        } finally {
            if (previous == null) {
                System.clearProperty(PlanFileLocator.CONFIG);
            } else {
                System.setProperty(PlanFileLocator.CONFIG, previous);
            }
        }
    }
}
