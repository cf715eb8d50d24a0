package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file's skip/only conditions: a {@code matches:} regex takes the whole value; a bad class stops start-up. */
class MeteringConditionTest {

    static final String KEY = "conditions-key-0123456789";

    private static final String PLANS = """
            skip:
              - { header: X-Env, matches: "test|stage" }
              - { method: OPTIONS }
            plans:
              - name: three
                quota: { limit: 3, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: tester
                value: conditions-key-0123456789
                plans: [three]
            """;

    @TempDir
    Path dir;

    private static HttpResponse<String> get(TestServer server, String env) throws Exception {
        return Http.CLIENT.send(HttpRequest.newBuilder(server.uri("/pets")).header("x-api-key", KEY).header("X-Env", env)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void matchesSkipsOnlyValuesTheRegexMatchesWhole() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = TestServer.withEngine(engine)) {
            for (String env : new String[] {"test", "stage", "test", "stage"}) {
                HttpResponse<String> skipped = get(server, env);
                assertEquals(200, skipped.statusCode(), env);
                assertFalse(skipped.headers().firstValue("RateLimit").isPresent(), env + " is skipped: not metered");
            }
            for (String env : new String[] {"contest", "testing", "staged"}) {
                HttpResponse<String> metered = get(server, env);
                assertEquals(200, metered.statusCode(), env);
                assertTrue(metered.headers().firstValue("RateLimit").isPresent(), env + " only contains a match: metered");
            }
            HttpResponse<String> fourth = get(server, "prod");
            assertEquals(429, fourth.statusCode(), "the three partial matches used the quota of 3");
        }
    }

    @Test
    void conditionClassesThatCannotBeUsedStopStartUpNamingFileLineEntryAndClass() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS.replace("  - { method: OPTIONS }\n", """
                  - { method: OPTIONS }
                  - { class: com.acme.TrustedCaller }
                only:
                  - path: /api/*
                  - class: java.lang.String
                """));
        Exception failure = assertThrows(Exception.class,
                () -> TestServer.withInitParams(Map.of("usageplans.config", file.toString())).close());
        String messages = FilterConfigurationTest.messages(failure);
        assertTrue(messages.contains("usage-plans: 2 problems:\nusage-plans: " + file + ", line 4: skip[2].class: class "
                + "'com.acme.TrustedCaller' was not found by the application's class loader; check the name (a nested class is "
                + "Outer$Inner) and that its jar is in the application\nusage-plans: " + file + ", line 7: only[1].class: class "
                + "'java.lang.String' does not implement io.usageplans.servlet.MeteringCondition"), messages);
    }
}
