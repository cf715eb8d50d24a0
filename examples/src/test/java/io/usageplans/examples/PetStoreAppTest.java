package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import io.usageplans.testing.OneUtcDay;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example app as a user runs it: the tutorial's plan file from the jar, on a real port. */
class PetStoreAppTest {

    private static PetStoreApp app;

    @BeforeAll
    static void start() throws Exception {
        app = PetStoreApp.start(0);
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    private HttpResponse<String> call(String method, String path, String key, String body) throws Exception {
        return Http.request(method, "http://localhost:" + app.port() + "/test" + path).body(null, body).header("x-api-key", key).send();
    }

    /** A fresh application, with a fresh local store: for a test that runs again on the next UTC day. */
    private static void restart() throws Exception {
        app.stop();
        app = PetStoreApp.start(0);
    }

    @Test
    void basicKeyGetsTenRequestsADayThenLimitExceededWithRetryAfterUntilMidnightUtc() throws Exception {
        OneUtcDay.run(() -> {
            for (int i = 1; i <= 10; i++) {
                HttpResponse<String> r = call("GET", "/pets", "demo-basic-key-0123456789", null);
                assertEquals(200, r.statusCode(), "request " + i);
                assertTrue(r.body().startsWith("[{\"id\":1,\"type\":\"dog\""), r.body());
            }
            long sent = System.currentTimeMillis();
            HttpResponse<String> r = call("GET", "/pets", "demo-basic-key-0123456789", null);
            long answered = System.currentTimeMillis();
            assertEquals(429, r.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
            // the server decided between sent and answered: Retry-After is the time from then to 00:00 UTC, rounded up
            long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            long latest = OneUtcDay.secondsToMidnight(sent);
            long earliest = OneUtcDay.secondsToMidnight(answered);
            assertTrue(retryAfter >= earliest && retryAfter <= latest, "Retry-After " + retryAfter
                    + " s is not the time to 00:00 UTC, " + earliest + " to " + latest + " s");
        }, PetStoreAppTest::restart);
    }

    @Test
    void premiumKeyCanReadAndAddPets() throws Exception {
        HttpResponse<String> added = call("POST", "/pets", "demo-premium-key-0123456789", "{\"type\":\"bird\",\"price\":12.5}");
        assertEquals(201, added.statusCode());
        assertTrue(added.body().contains("\"type\":\"bird\",\"price\":12.5"), added.body());
        HttpResponse<String> one = call("GET", "/pets/1", "demo-premium-key-0123456789", null);
        assertEquals(200, one.statusCode());
        assertEquals("{\"id\":1,\"type\":\"dog\",\"price\":249.99}", one.body());
        assertTrue(one.headers().firstValue("RateLimit-Policy").orElseThrow()
                .startsWith("\"premium-/pets/{petId}/GET\";q=3;w=3, \"premium-burst\";q=40;w=2, \"premium-day\";q=100;w="));
        assertEquals(404, call("GET", "/pets/999", "demo-premium-key-0123456789", null).statusCode());
        // the annotation allows a burst of 3 and 1 more per second: 10 quick calls cannot all pass
        // unless they take over 7 s, so this does not depend on the machine's speed
        int throttled = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = call("GET", "/pets/2", "demo-premium-key-0123456789", null);
            if (r.statusCode() == 429) {
                assertEquals("{\"message\":\"Too Many Requests\"}", r.body());
                throttled++;
            }
        }
        assertTrue(throttled >= 1, "GET /pets/{petId} is throttled per key");
    }

    @Test
    void exportIsForPremiumKeysOnly() throws Exception {
        HttpResponse<String> basic = call("GET", "/pets/export", "demo-basic-key-0123456789", null);
        assertEquals(403, basic.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", basic.body());
        HttpResponse<String> premium = call("GET", "/pets/export", "demo-premium-key-0123456789", null);
        assertEquals(200, premium.statusCode());
        assertTrue(premium.body().startsWith("{\"pets\":[{\"id\":1,"), premium.body());
    }

    @Test
    void usageShowsTheCallerTheirOwnPlanAndQuota() throws Exception {
        HttpResponse<String> r = call("GET", "/usage", "demo-dev-key-0123456789", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("{\"key\":\"dev-team\",\"plan\":\"dev\",\"throttleRemaining\":"), r.body());
        assertTrue(r.body().endsWith("\"quotaLimit\":null,\"quotaRemaining\":null,\"quotaResetsAt\":null}"), r.body());
    }

    @Test
    void disabledAndMissingKeysAreForbiddenButHealthNeedsNoKey() throws Exception {
        assertEquals(403, call("GET", "/pets", "demo-disabled-key-0123456789", null).statusCode());
        assertEquals(403, call("GET", "/pets", null, null).statusCode());
        HttpResponse<String> health = call("GET", "/health", null, null);
        assertEquals(200, health.statusCode());
        assertFalse(health.headers().firstValue("RateLimit").isPresent());
    }

    @Test
    void devKeyIsNotLimitedAtOneHundredQuickRequests() throws Exception {
        // dev: rate 1000, burst 2000, no quota
        for (int i = 1; i <= 100; i++) {
            assertEquals(200, call("GET", "/pets", "demo-dev-key-0123456789", null).statusCode(), "request " + i);
        }
    }
}
