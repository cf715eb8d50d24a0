package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import io.usageplans.Catalog;
import io.usageplans.Decision.Outcome;
import io.usageplans.config.PlanFile;
import io.usageplans.ResponseSettings;
import io.usageplans.ResponseSettings.Rejection;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** Refusals shaped by the plan file's responses: section or by code, over real HTTP. */
class CustomResponsesTest {

    static final String KEY = "responses-test-key-0123456789";

    private static final String PLANS = """
            responses:
              throttled:
                status: 503
                body: '{"error":"slow down","retryAfter":${retryAfter},"policy":"${policy}"}'
                headers: { X-RateLimit-Reason: throttled }
              quotaExceeded:
                problem: true
              forbidden:
                status: 401
                body: ""
            plans:
              - name: small
                throttle: { rateLimit: 1, burstLimit: 2 }
                quota: { limit: 3, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: tester
                value: responses-test-key-0123456789
                plans: [small]
            """;

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private UsagePlans engine(String plans) {
        return UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
    }

    @Test
    void throttledAnswersTheConfiguredStatusTemplateAndHeaders() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            server.get("/x", KEY);
            server.get("/x", KEY);
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(503, r.statusCode());
            assertEquals("{\"error\":\"slow down\",\"retryAfter\":1,\"policy\":\"small-burst\"}", r.body());
            assertEquals("application/json", header(r, "Content-Type"));
            assertEquals("throttled", header(r, "X-RateLimit-Reason"));
            assertEquals("1", header(r, "Retry-After"));
            assertTrue(r.headers().firstValue("RateLimit").isPresent());
        }
    }

    @Test
    void quotaExceededIsAProblemDetailsDocumentNamingTheViolatedPolicy() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, server.get("/x", KEY).statusCode());
                clock.advance(java.time.Duration.ofSeconds(2));
            }
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(429, r.statusCode());
            assertEquals("application/problem+json", header(r, "Content-Type"));
            assertEquals("{\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\","
                    + "\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",\"status\":429,"
                    + "\"detail\":\"Limit Exceeded\",\"violated-policies\":[\"small-day\"],\"retry-after\":43194}", r.body());
        }
    }

    @Test
    void forbiddenCanHaveAnotherStatusAndNoBody() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> r = server.get("/x", null);
            assertEquals(401, r.statusCode());
            assertEquals("", r.body());
            assertEquals("0", header(r, "Content-Length"));
        }
    }

    @Test
    void rateLimitFieldsCanBeHiddenOrCarryTheExactBucketShape() throws Exception {
        try (UsagePlans hidden = engine(PLANS.replace("responses:\n", "responses:\n  rateLimitHeaders: false\n"));
             TestServer server = TestServer.withEngine(hidden)) {
            HttpResponse<String> ok = server.get("/x", KEY);
            assertEquals(200, ok.statusCode());
            assertFalse(ok.headers().firstValue("RateLimit").isPresent());
            assertFalse(ok.headers().firstValue("RateLimit-Policy").isPresent());
            server.get("/x", KEY);
            HttpResponse<String> throttled = server.get("/x", KEY);
            assertEquals(503, throttled.statusCode());
            assertFalse(throttled.headers().firstValue("RateLimit").isPresent(), "hidden on refusals too");
        }
        try (UsagePlans shaped = engine(PLANS.replace("responses:\n", "responses:\n  bucketShape: true\n"));
             TestServer server = TestServer.withEngine(shaped)) {
            assertEquals("\"small-burst\";q=2;w=2;up-burst=2;up-rate=1.0, \"small-day\";q=3;w=86400",
                    header(server.get("/x", KEY), "RateLimit-Policy"));
        }
    }

    @Test
    void responsesCanBeSetInCode() throws Exception {
        Catalog catalog = PlanFile.parse(PLANS.substring(PLANS.indexOf("plans:")), "plans.yaml");
        ResponseSettings responses = ResponseSettings.builder()
                .rejection(Outcome.THROTTLED, new Rejection(403, Rejection.Format.TEMPLATE, "busy: ${message}", "text/plain",
                        Map.of("X-Plan", "small")))
                .build();
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock).responses(responses).build();
             TestServer server = TestServer.withEngine(engine)) {
            server.get("/x", KEY);
            server.get("/x", KEY);
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(403, r.statusCode());
            assertEquals("busy: Too Many Requests", r.body());
            assertEquals("text/plain;charset=utf-8", header(r, "Content-Type").toLowerCase(java.util.Locale.ROOT));
            assertEquals("small", header(r, "X-Plan"));
        }
    }

    @Test
    void aBadResponseSettingFailsStartUpNamingIt() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> PlanFile.parse(PLANS.replace("status: 503", "status: 200"), "plans.yaml"));
        assertEquals("usage-plans: plans.yaml, line 3: responses.throttled.status: must be an HTTP error status from 400 to 599, "
                + "was 200", e.getMessage());
    }
}
