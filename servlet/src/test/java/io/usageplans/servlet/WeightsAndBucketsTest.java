package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import io.usageplans.Catalog;
import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.UsagePlan;
import io.usageplans.testing.MutableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** Weighted requests (a cost per method) and per-key buckets shared by several methods, over real HTTP. */
class WeightsAndBucketsTest {

    static final String KEY = "weights-test-key-0123456789";

    private static final String PLANS = """
            plans:
              - name: metered
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 10, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "/reports/GET": { cost: 5 }
                      "/reports/daily/GET": { rateLimit: 1, burstLimit: 2, bucket: reports }
                      "/reports/weekly/GET": { rateLimit: 1, burstLimit: 2, bucket: reports }
                      "/pets/GET": { rateLimit: 1, burstLimit: 2 }
                      "/owners/GET": { rateLimit: 1, burstLimit: 2 }
            apiKeys:
              - name: tester
                value: weights-test-key-0123456789
                plans: [metered]
            """;

    /** Exports are expensive: each call counts 5 against the throttles and the quota. */
    @UsagePlan
    public static class ExportServlet extends HttpServlet {
        @Override
        @MethodThrottle(cost = 5)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("export");
        }
    }

    public static class TooExpensiveServlet extends HttpServlet {
        @Override
        @MethodThrottle(rate = 1, burst = 3, cost = 4)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        }
    }

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private UsagePlans engine() {
        return UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).build();
    }

    @Test
    void aCostFiveMethodUsesUpAQuotaOfTenInTwoCalls() throws Exception {
        try (UsagePlans engine = engine(); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> first = server.get("/reports", KEY);
            assertEquals(200, first.statusCode());
            assertEquals("\"metered-burst\";r=95;t=1, \"metered-day\";r=5;t=43200", header(first, "RateLimit"));
            assertEquals(200, server.get("/reports", KEY).statusCode());
            HttpResponse<String> third = server.get("/reports", KEY);
            assertEquals(429, third.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", third.body());
        }
    }

    @Test
    void aCostOnAnAnnotatedServletMethodIsChargedToo() throws Exception {
        try (UsagePlans engine = engine();
             TestServer server = TestServer.start(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(ExportServlet.class, "/export");
             })) {
            assertEquals(200, server.get("/export", KEY).statusCode());
            HttpResponse<String> second = server.get("/export", KEY);
            assertEquals(200, second.statusCode());
            assertTrue(header(second, "RateLimit").endsWith("\"metered-day\";r=0;t=43200"), header(second, "RateLimit"));
            assertEquals(429, server.get("/export", KEY).statusCode());
        }
    }

    @Test
    void methodsNamingOneBucketShareItWhileOtherMethodsHaveTheirOwn() throws Exception {
        try (UsagePlans engine = engine(); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/reports/daily", KEY).statusCode());
            HttpResponse<String> weekly = server.get("/reports/weekly", KEY);
            assertEquals(200, weekly.statusCode());
            assertTrue(header(weekly, "RateLimit").startsWith("\"metered-reports\";r=0;t=2"), header(weekly, "RateLimit"));
            HttpResponse<String> third = server.get("/reports/daily", KEY);
            assertEquals(429, third.statusCode(), "the shared bucket 'reports' holds 2 for both methods");
            assertEquals("{\"message\":\"Too Many Requests\"}", third.body());

            assertEquals(200, server.get("/pets", KEY).statusCode());
            assertEquals(200, server.get("/pets", KEY).statusCode());
            assertEquals(200, server.get("/owners", KEY).statusCode(), "separate by default: /owners has its own 2");
            assertEquals(429, server.get("/pets", KEY).statusCode());
        }
    }

    @Test
    void aCostAboveTheBurstOfALimitFailsStartUpNamingBoth() {
        Exception e = assertThrows(Exception.class, () -> {
            try (UsagePlans engine = engine();
                 TestServer server = TestServer.start(c -> {
                     c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                     c.addServlet(TooExpensiveServlet.class, "/expensive");
                 })) {
                server.get("/expensive", KEY);
            }
        });
        assertTrue(FilterConfigurationTest.messages(e).contains("usage-plans: " + TooExpensiveServlet.class.getName()
                + "#doGet: cost: a cost of 4 is more than the method throttle's burst of 3 for plan metered, so such a request "
                + "could never pass; lower the cost or raise the limit"), FilterConfigurationTest.messages(e));
    }

    @Test
    void aPlanFileCostAboveThePlansBurstFailsStartUp() {
        Catalog catalog = PlanFile.parse(PLANS.replace("{ cost: 5 }", "{ cost: 11 }"), "plans.yaml");
        Exception e = assertThrows(Exception.class, () -> UsagePlans.builder(catalog).stage("test").build().close());
        assertEquals("usage-plans: plans.yaml, line 8: plans[metered].apiStages[0].throttle[\"/reports/GET\"].cost: a cost of 11 is more than plan metered's quota limit of 10, "
                + "so such a request could never pass; lower the cost or raise the limit", e.getMessage());
    }
}
