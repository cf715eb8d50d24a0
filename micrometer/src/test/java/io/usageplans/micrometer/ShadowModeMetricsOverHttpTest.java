package io.usageplans.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpResponse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

/** Shadow (report-only) mode as an operator sees it: every request served, and the metric counts what would be refused. */
class ShadowModeMetricsOverHttpTest {

    static final String KEY = "shadow-metrics-key-0123456789";

    @Test
    void fiftyRequestsPastAQuotaOfTenAllPassWithTheirRateLimitFieldsAndTheMetricShowsFortyWouldRefuse() throws Exception {
        MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
        Catalog catalog = Catalog.builder()
                .plan(Plan.builder("basic").quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").shadow(true).build())
                .apiKey(ApiKey.builder("basic-customer").value(KEY).plans("basic").build())
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock).discoverListeners(false)
                .listener(new MicrometerUsageListener(registry)).build();
             JettyApp app = JettyApp.context("/test").filter(new UsagePlanFilter(engine)).servlet(Hello.class, "/*").start()) {
            for (int i = 1; i <= 50; i++) {
                HttpResponse<String> r = app.get("/pets").header("x-api-key", KEY).send();
                assertEquals(200, r.statusCode(), "request " + i);
                assertEquals("{\"hello\":\"pets\"}", r.body(), "request " + i);
                assertEquals("\"basic-day\";q=10;w=86400", r.headers().firstValue("RateLimit-Policy").orElse(null), "request " + i);
                // 14 hours to midnight; remaining counts down to 0 and stays there, as when enforcing
                assertEquals("\"basic-day\";r=" + Math.max(0, 10 - i) + ";t=50400", r.headers().firstValue("RateLimit").orElse(null),
                        "request " + i);
                assertEquals(java.util.Optional.empty(), r.headers().firstValue("Retry-After"), "request " + i);
            }
        }

        assertEquals(10.0, count(registry, "allowed", "none"));
        assertEquals(40.0, count(registry, MicrometerUsageListener.WOULD_REFUSE, "quota_exceeded"));
        assertEquals(0.0, count(registry, "quota_exceeded", "none"), "nothing was refused");
        assertEquals(50.0, registry.find(MicrometerUsageListener.METER).counters().stream().mapToDouble(Counter::count).sum());
    }

    private static double count(SimpleMeterRegistry registry, String outcome, String reason) throws IOException {
        Counter counter = registry.find(MicrometerUsageListener.METER)
                .tags("stage", "test", "plan", "basic", "outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The application behind the filter. */
    public static final class Hello extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("application/json");
            response.getWriter().write("{\"hello\":\"pets\"}");
        }
    }
}
