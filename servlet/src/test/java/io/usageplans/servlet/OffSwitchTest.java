package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import io.usageplans.testing.OneUtcDay;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** usageplans.enabled=false, and a plan's enabled: false, switch metering off without touching anything else. */
class OffSwitchTest {

    private static final String PLANS = """
            plans:
              - name: five
                quota: { limit: 5, period: DAY }
                apiStages: [ { stage: test } ]
              - name: paused
                enabled: false
                throttle: { rateLimit: 1, burstLimit: 1 }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: five-key
                value: five-requests-key-0123456789
                plans: [five]
              - name: paused-key
                value: paused-plan-key-0123456789
                plans: [paused]
            """;

    @TempDir
    Path dir;

    private Map<String, String> params(String... more) throws Exception {
        Map<String, String> params = new HashMap<>();
        params.put("usageplans.config", Files.writeString(dir.resolve("plans.yaml"), PLANS).toString());
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return params;
    }

    @Test
    void theInitParamSwitchesMeteringOffFiftyRequestsPastAFiveRequestQuota() throws Exception {
        try (TestServer server = TestServer.withInitParams(params("usageplans.enabled", "false"))) {
            for (int i = 1; i <= 55; i++) {
                HttpResponse<String> r = server.get("/x", "five-requests-key-0123456789");
                assertEquals(200, r.statusCode(), "request " + i);
                assertFalse(r.headers().firstValue("RateLimit").isPresent());
                assertFalse(r.headers().firstValue("RateLimit-Policy").isPresent());
            }
            assertEquals(200, server.get("/x", null).statusCode(), "even without a key");
        }
    }

    @Test
    void theSystemPropertySwitchesMeteringOff() throws Exception {
        System.setProperty("usageplans.enabled", "false");
        try (TestServer server = TestServer.withInitParams(params())) {
            for (int i = 1; i <= 55; i++) {
                HttpResponse<String> r = server.get("/x", "five-requests-key-0123456789");
                assertEquals(200, r.statusCode(), "request " + i);
                assertFalse(r.headers().firstValue("RateLimit").isPresent());
            }
        } finally {
            System.clearProperty("usageplans.enabled");
        }
    }

    @Test
    void withTheSwitchOnTheSameQuotaBites() throws Exception {
        // the filter built from init params reads the real clock: a fresh server and quota if 00:00 UTC passes
        OneUtcDay.run(() -> {
            try (TestServer server = TestServer.withInitParams(params("usageplans.enabled", "true"))) {
                for (int i = 1; i <= 5; i++) {
                    assertEquals(200, server.get("/x", "five-requests-key-0123456789").statusCode());
                }
                assertEquals(429, server.get("/x", "five-requests-key-0123456789").statusCode());
            }
        }, () -> { });
    }

    @Test
    void aDisabledPlanLetsItsKeysThroughWithoutHeadersWhileOtherPlansAreMetered() throws Exception {
        try (TestServer server = TestServer.withInitParams(params())) {
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> r = server.get("/x", "paused-plan-key-0123456789");
                assertEquals(200, r.statusCode(), "burst 1, but the plan is switched off");
                assertFalse(r.headers().firstValue("RateLimit").isPresent());
            }
            assertTrue(server.get("/x", "five-requests-key-0123456789").headers().firstValue("RateLimit").isPresent());
            assertEquals(403, server.get("/x", "unknown-key-0123456789abc").statusCode(), "unknown keys are still refused");
        }
    }

    @Test
    void aSwitchThatIsNeitherTrueNorFalseFailsStartUp() throws Exception {
        Map<String, String> params = params("usageplans.enabled", "no");
        Exception e = assertThrows(Exception.class, () -> TestServer.withInitParams(params).close());
        assertTrue(FilterConfigurationTest.messages(e).contains(
                "usage-plans: init-param usageplans.enabled: must be true or false, was 'no'"),
                FilterConfigurationTest.messages(e));
    }

    @Test
    void annotationsAreStillValidatedWhenSwitchedOff() throws Exception {
        Map<String, String> params = params("usageplans.enabled", "false");
        Exception e = assertThrows(Exception.class, () -> TestServer.start(context -> {
            FilterHolder holder = new FilterHolder(UsagePlanFilter.class);
            holder.setInitParameters(params);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(ServletAnnotationsTest.NegativeRateServlet.class, "/bad");
        }).close());
        assertTrue(FilterConfigurationTest.messages(e).contains("@MethodThrottle.rate: rate must be"), FilterConfigurationTest.messages(e));
    }
}
