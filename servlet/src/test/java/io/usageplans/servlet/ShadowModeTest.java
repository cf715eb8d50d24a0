package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.config.PlanFile;
import io.usageplans.manage.UsageReport;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import io.usageplans.testing.OneUtcDay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow (report-only) mode over real HTTP: per plan ({@code shadow: true}) and for every plan ({@code usageplans.shadow}),
 * requests past a limit are served with their RateLimit fields, logged (key masked), counted and heard by listeners.
 */
class ShadowModeTest {

    static final String TRIAL_KEY = "trial-shadow-key-0123456789";
    static final String BASIC_KEY = "basic-enforced-key-0123456789";
    static final String BURSTY_KEY = "bursty-shadow-key-0123456789";

    /** {@code trial} only reports, {@code basic} enforces the same quota, {@code bursty} only reports its throttle. */
    static String plans(boolean trialShadow) {
        return """
                plans:
                  - name: trial
                    shadow: %s
                    quota: { limit: 3, period: DAY }
                    apiStages: [ { stage: test } ]
                  - name: basic
                    quota: { limit: 3, period: DAY }
                    apiStages: [ { stage: test } ]
                  - name: bursty
                    shadow: true
                    throttle: { rateLimit: 1, burstLimit: 2 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: trial-customer
                    value: %s
                    plans: [trial]
                  - name: basic-customer
                    value: %s
                    plans: [basic]
                  - name: bursty-customer
                    value: %s
                    plans: [bursty]
                """.formatted(trialShadow, TRIAL_KEY, BASIC_KEY, BURSTY_KEY);
    }

    @TempDir
    Path dir;

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    @RegisterExtension
    private final LogRecorder rejections = LogRecorder.of(UsagePlans.REJECTIONS_LOGGER).withLoggerLevel(Level.INFO);

    private List<String> logged() {
        return rejections.messages();
    }

    private UsagePlans engine(boolean trialShadow, List<Decision> heard) {
        return UsagePlans.builder(PlanFile.parse(plans(trialShadow), "plans.yaml")).stage("test").clock(clock)
                .discoverListeners(false).listener((decision, stage, method, path) -> heard.add(decision)).build();
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void aShadowPlanServesPastItsQuotaWhileAnotherPlanEnforcesTheSameQuota() throws Exception {
        List<Decision> heard = Collections.synchronizedList(new ArrayList<>());
        try (UsagePlans engine = engine(true, heard); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 1; i <= 6; i++) {
                HttpResponse<String> trial = server.get("/pets", TRIAL_KEY);
                assertEquals(200, trial.statusCode(), "trial request " + i);
                assertEquals("{\"app\":\"GET /pets\"}", trial.body());
                assertEquals("\"trial-day\";q=3;w=86400", header(trial, "RateLimit-Policy"));
                assertEquals("\"trial-day\";r=" + Math.max(0, 3 - i) + ";t=50400", header(trial, "RateLimit"), "trial request " + i);
                assertFalse(trial.headers().firstValue("Retry-After").isPresent());
            }
            for (int i = 1; i <= 3; i++) {
                assertEquals(200, server.get("/pets", BASIC_KEY).statusCode(), "basic request " + i);
            }
            HttpResponse<String> refused = server.get("/pets", BASIC_KEY);
            assertEquals(429, refused.statusCode(), "basic enforces");
            assertEquals("{\"message\":\"Limit Exceeded\"}", refused.body());
            assertEquals("\"basic-day\";r=0;t=50400", header(refused, "RateLimit"));
            assertEquals("50400", header(refused, "Retry-After"));

            assertEquals(Map.of("trial", Map.of(Outcome.FORBIDDEN, 0L, Outcome.THROTTLED, 0L, Outcome.QUOTA_EXCEEDED, 3L,
                    Outcome.UNAVAILABLE, 0L)), engine.counters().wouldRefuseByPlan());
            assertEquals(3L, engine.counters().byPlan().get("trial").get(Outcome.ALLOWED), "served within the quota");
            assertEquals(0L, engine.counters().byPlan().get("trial").get(Outcome.QUOTA_EXCEEDED), "nothing refused");
            assertEquals(1L, engine.counters().byPlan().get("basic").get(Outcome.QUOTA_EXCEEDED));
            assertEquals(Map.of(Outcome.FORBIDDEN, 0L, Outcome.THROTTLED, 0L, Outcome.QUOTA_EXCEEDED, 3L, Outcome.UNAVAILABLE, 0L),
                    engine.counters().wouldRefuseByKey().get("trial-customer"));

            // what a would-refuse request charges: nothing, as a refusal; the usage report counts the quota's 3
            UsageReport report = engine.admin().usage("trial", LocalDate.of(2026, 11, 25), LocalDate.of(2026, 11, 25), null);
            assertEquals(3L, report.items().get("trial-customer").get(0).used());
            assertEquals(0L, report.items().get("trial-customer").get(0).remaining());
        }
    }

    @Test
    void aThrottleInShadowModeServesTheBurstAndReportsWhatItWouldHaveRefusedToListenersAndTheLog() throws Exception {
        List<Decision> heard = Collections.synchronizedList(new ArrayList<>());
        try (UsagePlans engine = engine(true, heard); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 1; i <= 5; i++) {
                HttpResponse<String> r = server.get("/pets", BURSTY_KEY);
                assertEquals(200, r.statusCode(), "request " + i);
                assertEquals("\"bursty-burst\";r=" + Math.max(0, 2 - i) + ";t=" + (i == 1 ? 1 : 2), header(r, "RateLimit"),
                        "request " + i);
            }
            assertEquals(5, heard.size());
            for (int i = 0; i < 5; i++) {
                Decision d = heard.get(i);
                assertTrue(d.passes(), "heard " + i);
                assertEquals(i >= 2, d.wouldRefuse(), "heard " + i);
                assertEquals(i >= 2 ? Outcome.THROTTLED : Outcome.ALLOWED, d.outcome(), "heard " + i);
                assertEquals(i >= 2 ? Decision.Limit.PLAN_THROTTLE : null, d.refusedBy(), "heard " + i);
                assertEquals("bursty-customer", d.apiKey().name());
            }
            assertEquals(3L, engine.counters().wouldRefuseByPlan().get("bursty").get(Outcome.THROTTLED));
        }
        List<String> lines = logged();
        assertEquals(3, lines.size(), lines.toString());
        for (String line : lines) {
            assertEquals("usage-plans: shadow mode, served but would answer 429 Too Many Requests for GET /pets on stage test: "
                    + "key burs…6789 (bursty-customer), plan bursty, plan throttle, retry after 1 s", line);
            assertFalse(line.contains(BURSTY_KEY), "the key is masked");
        }
    }

    @Test
    void replacingTheCatalogWithTheTrialPlanEnforcingRefusesTheNextRequest() throws Exception {
        List<Decision> heard = Collections.synchronizedList(new ArrayList<>());
        try (UsagePlans engine = engine(true, heard); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 1; i <= 5; i++) {
                assertEquals(200, server.get("/pets", TRIAL_KEY).statusCode(), "shadow request " + i);
            }
            Catalog enforcing = PlanFile.parse(plans(false), "plans.yaml");
            assertFalse(enforcing.plan("trial").orElseThrow().shadow());
            engine.replaceCatalog(enforcing);

            HttpResponse<String> next = server.get("/pets", TRIAL_KEY);
            assertEquals(429, next.statusCode(), "the quota of 3 was used; shadow requests charged nothing past it");
            assertEquals("{\"message\":\"Limit Exceeded\"}", next.body());
            assertEquals("\"trial-day\";r=0;t=50400", header(next, "RateLimit"));
            assertFalse(heard.get(heard.size() - 1).wouldRefuse());

            engine.replaceCatalog(PlanFile.parse(plans(true), "plans.yaml"));
            assertEquals(200, server.get("/pets", TRIAL_KEY).statusCode(), "and back to shadow mode, live");
        }
    }

    private Map<String, String> params(String... more) throws Exception {
        Map<String, String> params = new HashMap<>();
        params.put("usageplans.config", Files.writeString(dir.resolve("plans.yaml"), plans(false)).toString());
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return params;
    }

    /** Four requests past an enforcing quota of 3, and callers the gateway would refuse with 403: every one served. */
    private static void everyRequestIsServed(TestServer server) throws Exception {
        for (int i = 1; i <= 7; i++) {
            HttpResponse<String> r = server.get("/pets", BASIC_KEY);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals("\"basic-day\";r=" + Math.max(0, 3 - i) + ";t=" + header(r, "RateLimit").replaceAll(".*;t=", ""),
                    header(r, "RateLimit"));
        }
        HttpResponse<String> keyless = server.get("/pets", null);
        assertEquals(200, keyless.statusCode(), "a missing key would be 403");
        assertFalse(keyless.headers().firstValue("RateLimit").isPresent(), "no plan, no RateLimit fields");
        assertEquals(200, server.get("/pets", "unknown-key-value-0123456789").statusCode(), "an unknown key would be 403");
    }

    @Test
    void theInitParamPutsEveryPlanInShadowMode() throws Exception {
        OneUtcDay.run(() -> {
            try (TestServer server = TestServer.withInitParams(params("usageplans.shadow", "true"))) {
                everyRequestIsServed(server);
            }
        }, () -> { });
        assertTrue(logged().stream().anyMatch(line -> line.startsWith("usage-plans: shadow mode, served but would answer "
                + "403 Forbidden for GET /pets on stage test: no API key")), logged().toString());
        assertTrue(logged().stream().anyMatch(line -> line.startsWith("usage-plans: shadow mode, served but would answer "
                + "403 Forbidden for GET /pets on stage test: unknown API key, key unkn…6789")), logged().toString());
    }

    @Test
    void theSystemPropertyPutsEveryPlanInShadowMode() throws Exception {
        System.setProperty("usageplans.shadow", "true");
        try {
            OneUtcDay.run(() -> {
                try (TestServer server = TestServer.withInitParams(params())) {
                    everyRequestIsServed(server);
                }
            }, () -> { });
        } finally {
            System.clearProperty("usageplans.shadow");
        }
    }

    @Test
    void theContextParamPutsEveryPlanInShadowMode() throws Exception {
        Map<String, String> params = params();
        OneUtcDay.run(() -> {
            try (TestServer server = TestServer.start(context -> {
                context.setInitParameter("usageplans.shadow", "true");
                params.forEach(context::setInitParameter);
                context.addFilter(UsagePlanFilter.class, "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
            })) {
                everyRequestIsServed(server);
            }
        }, () -> { });
    }

    @Test
    void withoutTheSettingThePlanFileEnforces() throws Exception {
        OneUtcDay.run(() -> {
            try (TestServer server = TestServer.withInitParams(params())) {
                for (int i = 1; i <= 3; i++) {
                    assertEquals(200, server.get("/pets", BASIC_KEY).statusCode());
                }
                assertEquals(429, server.get("/pets", BASIC_KEY).statusCode());
                assertEquals(403, server.get("/pets", null).statusCode());
            }
        }, () -> { });
    }

    @Test
    void aShadowSettingThatIsNeitherTrueNorFalseFailsStartUp() throws Exception {
        Map<String, String> params = params("usageplans.shadow", "yes");
        Exception e = assertThrows(Exception.class, () -> TestServer.withInitParams(params).close());
        assertTrue(FilterConfigurationTest.messages(e).contains(
                "usage-plans: init-param usageplans.shadow: must be true or false, was 'yes'"), FilterConfigurationTest.messages(e));
    }
}
