package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import io.usageplans.Decision.Outcome;
import io.usageplans.ResponseSettings.Rejection;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The RFC 9457 body of a refusal stays valid JSON whatever the refusing plan is called. */
class ProblemDetailsBodyTest {

    private static final String KEY = "problem-key-0123456789";

    @Test
    void aPlanNameWithQuotesAndALineBreakIsEscapedInViolatedPolicies() {
        String name = "gold \"plus\"\nline <2>";
        ResponseSettings responses = ResponseSettings.builder()
                .rejection(Outcome.THROTTLED, new Rejection(0, Rejection.Format.PROBLEM, null, null, Map.of())).build();
        try (UsagePlans engine = UsagePlans.builder(Catalog.builder()
                        .plan(Plan.builder(name).throttle(Throttle.rateLimit(1).burstLimit(1)).stage("test").build())
                        .apiKey(ApiKey.builder("customer").value(KEY).plans(name).build()).build())
                .stage("test").clock(MutableClock.at("2026-11-25T10:00:00Z")).discoverListeners(false)
                .responses(responses).build()) {
            assertEquals(Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome());
            Decision refused = engine.decide(KEY, "GET", "/pets");

            assertEquals("{\"type\":\"" + ResponseSettings.QUOTA_EXCEEDED_TYPE + "\",\"title\":\"Request cannot be satisfied "
                    + "as assigned quota has been exceeded\",\"status\":429,\"detail\":\"Too Many Requests\","
                    + "\"violated-policies\":[\"gold \\\"plus\\\"\\nline \\u003c2\\u003e-burst\"],\"retry-after\":1}",
                    responses.render(refused).body());
        }
    }
}
