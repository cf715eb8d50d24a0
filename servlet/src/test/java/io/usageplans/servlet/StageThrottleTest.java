package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.annotation.StageThrottle;
import io.usageplans.annotation.UsagePlan;
import io.usageplans.config.PlanFile;
import io.usageplans.testing.MutableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** The stage's throttles for all callers together (AWS's stage-level method throttling), over real HTTP on Jetty. */
class StageThrottleTest {

    static final String A = "stage-throttle-key-a-0123456789";
    static final String B = "stage-throttle-key-b-0123456789";
    static final String C = "stage-throttle-key-c-0123456789";
    static final String SMALL = "stage-throttle-small-0123456789";

    static final String PLANS = """
            plans:
              - name: roomy
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 1000, period: DAY }
                apiStages: [ { stage: test } ]
              - name: tight
                throttle: { rateLimit: 1, burstLimit: 1 }
                quota: { limit: 3, period: DAY }
                apiStages: [ { stage: test } ]
            stages:
              - stage: test
                throttle:
                  "/pets/GET": { rateLimit: 1, burstLimit: 5 }
                  "/orders/GET": { rateLimit: 1, burstLimit: 2 }
                  "*/*": { rateLimit: 1, burstLimit: 1 }
            apiKeys:
              - { name: a, value: stage-throttle-key-a-0123456789, plans: [roomy] }
              - { name: b, value: stage-throttle-key-b-0123456789, plans: [roomy] }
              - { name: c, value: stage-throttle-key-c-0123456789, plans: [roomy] }
              - { name: small, value: stage-throttle-small-0123456789, plans: [tight] }
            """;

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private UsagePlans engine(String plans) {
        return UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
    }

    @Test
    void aStageBurstOfFiveSharedByThreeKeysLetsExactlyFiveThroughTogether() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String key = i % 3 == 0 ? A : i % 3 == 1 ? B : C;
                    answers.add(pool.submit((Callable<HttpResponse<String>>) () -> server.get("/pets", key)));
                }
                int passed = 0;
                int refused = 0;
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    if (response.statusCode() == 200) {
                        passed++;
                    } else {
                        refused++;
                        assertEquals(429, response.statusCode());
                        assertEquals("{\"message\":\"Too Many Requests\"}", response.body());
                        assertEquals("1", header(response, "Retry-After"));
                        assertTrue(header(response, "RateLimit").contains("\"stage-/pets/GET\";r=0;t=5"),
                                header(response, "RateLimit"));
                    }
                }
                assertEquals(5, passed, "the stage's burst of 5, for all keys together");
                assertEquals(7, refused);
            } finally {
                pool.shutdownNow();
            }
            // each key's own bucket and quota were charged only for the requests that passed
            HttpResponse<String> later = afterOneSecond(server, A);
            assertEquals(200, later.statusCode());
            assertEquals("\"roomy-burst\";q=100;w=1, \"roomy-day\";q=1000;w=86400, \"stage-/pets/GET\";q=5;w=5",
                    header(later, "RateLimit-Policy"));
        }
    }

    private HttpResponse<String> afterOneSecond(TestServer server, String key) throws IOException, InterruptedException {
        clock.advance(Duration.ofSeconds(1));
        return server.get("/pets", key);
    }

    @Test
    void aRequestThePlanThrottleRefusesTakesNoStageToken() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> first = server.get("/orders", SMALL);
            assertEquals(200, first.statusCode());
            assertEquals("\"tight-burst\";r=0;t=1, \"tight-day\";r=2;t=43200, \"stage-/orders/GET\";r=1;t=1",
                    header(first, "RateLimit"));
            HttpResponse<String> planRefused = server.get("/orders", SMALL);
            assertEquals(429, planRefused.statusCode(), "the plan's burst of 1");
            assertFalse(header(planRefused, "RateLimit").contains("stage-"), "the stage was not asked");
            // the stage's burst of 2 still has one token: the refused request took none
            assertEquals(200, server.get("/orders", A).statusCode());
            HttpResponse<String> stageRefused = server.get("/orders", B);
            assertEquals(429, stageRefused.statusCode());
            assertTrue(header(stageRefused, "RateLimit").contains("\"stage-/orders/GET\";r=0;t=2"));
        }
    }

    @Test
    void aRequestTheStageRefusesConsumesNothingOfTheKeysLimits() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/orders", A).statusCode());
            assertEquals(200, server.get("/orders", B).statusCode());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> refused = server.get("/orders", SMALL);
                assertEquals(429, refused.statusCode(), "the stage's burst of 2 is spent");
                assertEquals("{\"message\":\"Too Many Requests\"}", refused.body());
                assertEquals("1", header(refused, "Retry-After"), "1 s until the stage bucket at 1/s has a token");
                assertEquals("\"tight-burst\";r=1;t=0, \"tight-day\";r=3;t=43200, \"stage-/orders/GET\";r=0;t=2",
                        header(refused, "RateLimit"), "the key's own token and quota unit were given back");
            }
            clock.advance(Duration.ofSeconds(2));
            HttpResponse<String> passes = server.get("/orders", SMALL);
            assertEquals(200, passes.statusCode());
            assertTrue(header(passes, "RateLimit").startsWith("\"tight-burst\";r=0;t=1, \"tight-day\";r=2;"),
                    "three stage refusals cost the key's quota of 3 nothing: " + header(passes, "RateLimit"));
        }
    }

    @Test
    void theStagesDefaultThrottleLimitsMethodsWithoutAThrottleOfTheirOwn() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> first = server.get("/anything", A);
            assertEquals(200, first.statusCode());
            assertTrue(header(first, "RateLimit-Policy").endsWith("\"stage-*/*\";q=1;w=1"), header(first, "RateLimit-Policy"));
            assertEquals(429, server.get("/anything/else", B).statusCode(), "the default's burst of 1, for all callers");
            assertEquals(403, server.get("/anything", null).statusCode(), "a stage throttle does not let keyless callers in");
        }
    }

    /** Annotated: stage throttles on single endpoints, one needing a key, one open to every caller. */
    @UsagePlan
    public static class PetsServlet extends HttpServlet {
        @Override
        @StageThrottle(rate = 1, burst = 2)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("pets");
        }
    }

    public static class StatusServlet extends HttpServlet {
        @Override
        @StageThrottle(rate = 1, burst = 1)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("status");
        }
    }

    public static class ZeroRateServlet extends HttpServlet {
        @Override
        @StageThrottle(rate = 0, burst = 1)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        }
    }

    private static final String ANNOTATED_PLANS = """
            plans:
              - name: roomy
                throttle: { rateLimit: 100, burstLimit: 100 }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: a, value: stage-throttle-key-a-0123456789, plans: [roomy] }
              - { name: b, value: stage-throttle-key-b-0123456789, plans: [roomy] }
            """;

    @Test
    void stageThrottleAnnotationLimitsAllCallersOfTheMethodAndNeedsNoKeyOnItsOwn() throws Exception {
        try (UsagePlans engine = engine(ANNOTATED_PLANS);
             TestServer server = TestServer.start(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(PetsServlet.class, "/pets");
                 c.addServlet(StatusServlet.class, "/status");
             })) {
            assertEquals(200, server.get("/pets", A).statusCode());
            assertEquals(200, server.get("/pets", B).statusCode());
            HttpResponse<String> third = server.get("/pets", A);
            assertEquals(429, third.statusCode());
            assertEquals("\"roomy-burst\";r=99;t=1, \"stage-/pets/GET\";r=0;t=2", header(third, "RateLimit"));
            assertEquals(403, server.get("/pets", null).statusCode(), "@UsagePlan still needs a key");

            HttpResponse<String> open = server.get("/status", null);
            assertEquals(200, open.statusCode(), "a stage throttle alone needs no key");
            assertEquals("\"stage-/status/GET\";q=1;w=1", header(open, "RateLimit-Policy"));
            HttpResponse<String> second = server.get("/status", A);
            assertEquals(429, second.statusCode(), "one bucket for keyed and keyless callers together");
            assertEquals("1", header(second, "Retry-After"));
        }
    }

    @Test
    void aStageEntryForAMethodAnAnnotationCoversNeverLetsCallersInWithoutAKey() throws Exception {
        String plans = ANNOTATED_PLANS + """
                stages:
                  - stage: test
                    throttle:
                      "/pets/mine/GET": { rateLimit: 1, burstLimit: 1 }
                """;
        try (UsagePlans engine = engine(plans);
             TestServer server = TestServer.start(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(PetsServlet.class, "/pets/*");
             })) {
            assertEquals(403, server.get("/pets/mine", null).statusCode(), "@UsagePlan on the servlet still needs a key");
            HttpResponse<String> first = server.get("/pets/mine", A);
            assertEquals(200, first.statusCode());
            assertEquals("\"roomy-burst\";q=100;w=1, \"stage-/pets/mine/GET\";q=1;w=1", header(first, "RateLimit-Policy"));
            assertEquals(429, server.get("/pets/mine", B).statusCode(), "the stage entry's own bucket of 1");
            assertEquals(200, server.get("/pets/other", B).statusCode(), "other paths of the servlet keep its own stage throttle");
        }
    }

    @Test
    void aZeroRateOnStageThrottleStopsStartUpNamingTheMethodAndValue() {
        try (UsagePlans engine = engine(ANNOTATED_PLANS)) {
            Exception e = assertThrows(Exception.class, () -> TestServer.start(c -> {
                c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                c.addServlet(ZeroRateServlet.class, "/zero");
            }).close());
            String message = rootMessage(e);
            assertTrue(message.contains(ZeroRateServlet.class.getName() + "#doGet") && message.contains("@StageThrottle.rate")
                    && message.contains("was 0"), message);
        }
    }

    @Test
    void badStageEntriesStopStartUpNamingFileLineEntryAndValue() {
        String bad = """
                plans:
                  - name: roomy
                    throttle: { rateLimit: 100, burstLimit: 100 }
                    apiStages: [ { stage: test } ]
                stages:
                  - stage: test
                    throttle:
                      "/pets/GET": { rateLimit: 0, burstLimit: 5 }
                      "pets/GET": { rateLimit: 1, burstLimit: 5 }
                    keyless:
                      "/signup/POST": gold
                """;
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(bad, "plans.yaml"));
        String message = e.getMessage();
        assertTrue(message.contains("plans.yaml, line 8: stages[test].throttle[\"/pets/GET\"].rateLimit: must be a number of "
                + "requests per second greater than 0 (like 10 or 0.5), was 0"), message);
        assertTrue(message.contains("plans.yaml, line 9: stages[test].throttle[\"pets/GET\"]: method key must start with /"),
                message);
        assertTrue(message.contains("plans.yaml, line 11: stages[test].keyless[\"/signup/POST\"]: unknown plan 'gold'"), message);
    }

    @Test
    void aStageMethodKeyThatMatchesNoRouteStopsStartUp() {
        String plans = ANNOTATED_PLANS + """
                stages:
                  - stage: test
                    throttle:
                      "/petz/GET": { rateLimit: 1, burstLimit: 5 }
                """;
        try (UsagePlans engine = engine(plans)) {
            Exception e = assertThrows(Exception.class, () -> io.usageplans.testsupport.JettyApp.context("/test")
                    .filter(new UsagePlanFilter(engine)).servlet(PetsServlet.class, "/pets").start().close());
            String message = rootMessage(e);
            assertTrue(message.contains("line 11: stages[test].throttle[\"/petz/GET\"]: matches no route of this application"),
                    message);
        }
    }

    static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    static Catalog parse(String text) {
        return PlanFile.parse(text, "plans.yaml");
    }
}
