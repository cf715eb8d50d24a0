package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usageplans.testing.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import io.usageplans.Catalog;
import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The AWS usage-plan tutorial (basic, dev, premium on stage test) over real HTTP through a real Jetty. */
class TutorialScenarioTest {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";
    static final String DISABLED = "demo-disabled-key-0123456789";

    // noon UTC: 43,200 s until the daily quota resets
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private UsagePlans engine;
    private TestServer server;

    static Catalog tutorial() {
        return PlanFile.load(TutorialScenarioTest.class.getResourceAsStream("/tutorial.yaml"), "tutorial.yaml");
    }

    @BeforeEach
    void start() throws Exception {
        engine = UsagePlans.builder(tutorial()).stage("test").clock(clock).build();
        server = TestServer.withEngine(engine);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    @Test
    void eleventhBasicRequestOfTheDayIsRejectedWithLimitExceeded() throws Exception {
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> ok = server.get("/pets", BASIC);
            assertEquals(200, ok.statusCode(), "request " + i);
            assertEquals("\"basic-burst\";r=" + (20 - i) + ";t=1, \"basic-day\";r=" + (10 - i) + ";t=43200",
                    header(ok, "RateLimit"));
        }
        HttpResponse<String> eleventh = server.get("/pets", BASIC);
        assertEquals(429, eleventh.statusCode());
        assertEquals("{\"message\":\"Limit Exceeded\"}", eleventh.body());
        assertEquals("application/json", header(eleventh, "Content-Type"));
        assertEquals("43200", header(eleventh, "Retry-After"), "until 00:00 UTC");
        assertEquals("\"basic-burst\";q=20;w=2, \"basic-day\";q=10;w=86400", header(eleventh, "RateLimit-Policy"));
        assertEquals("\"basic-burst\";r=10;t=1, \"basic-day\";r=0;t=43200", header(eleventh, "RateLimit"));
    }

    @Test
    void basicQuotaComesBackAtMidnightUtc() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(200, server.get("/pets", BASIC).statusCode());
        }
        clock.set(java.time.Instant.parse("2027-03-10T23:59:59.999Z"));
        assertEquals(429, server.get("/pets", BASIC).statusCode());
        clock.set(java.time.Instant.parse("2027-03-11T00:00:00Z"));
        HttpResponse<String> nextDay = server.get("/pets", BASIC);
        assertEquals(200, nextDay.statusCode());
        assertEquals("\"basic-burst\";r=19;t=1, \"basic-day\";r=9;t=86400", header(nextDay, "RateLimit"));
    }

    @Test
    void premiumBurstOfFortyPassesAndTheNextImmediateRequestIsThrottled() throws Exception {
        for (int i = 1; i <= 40; i++) {
            assertEquals(200, server.get("/pets", PREMIUM).statusCode(), "request " + i);
        }
        HttpResponse<String> throttled = server.get("/pets", PREMIUM);
        assertEquals(429, throttled.statusCode());
        assertEquals("{\"message\":\"Too Many Requests\"}", throttled.body());
        assertEquals("application/json", header(throttled, "Content-Type"));
        assertEquals("1", header(throttled, "Retry-After"), "one token comes back after 50 ms, rounded up");
        assertEquals("\"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400", header(throttled, "RateLimit-Policy"));
        assertEquals("\"premium-burst\";r=0;t=2, \"premium-day\";r=60;t=43200", header(throttled, "RateLimit"));

        clock.advance(Duration.ofMillis(50));
        assertEquals(200, server.get("/pets", PREMIUM).statusCode(), "a token is back after 1/20 s");
    }

    @Test
    void allowedResponsesCarryTheRateLimitFields() throws Exception {
        HttpResponse<String> ok = server.get("/pets", PREMIUM);
        assertEquals(200, ok.statusCode());
        assertEquals("{\"app\":\"GET /pets\"}", ok.body());
        assertEquals("\"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400", header(ok, "RateLimit-Policy"));
        assertEquals("\"premium-burst\";r=39;t=1, \"premium-day\";r=99;t=43200", header(ok, "RateLimit"));
        assertTrue(ok.headers().firstValue("Retry-After").isEmpty());
    }

    @Test
    void aThrottledRequestUsesNoQuota() throws Exception {
        int allowed = 0;
        int throttled = 0;
        for (int round = 0; round < 200 && allowed < 100; round++) {
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = server.get("/pets", PREMIUM);
                if (r.statusCode() == 200) {
                    allowed++;
                    assertEquals(100 - allowed, quotaRemaining(r, "premium-day"));
                } else {
                    assertEquals("{\"message\":\"Too Many Requests\"}", r.body(), "throttled while quota is left");
                    throttled++;
                }
                if (allowed == 100) {
                    break;
                }
            }
            clock.advance(Duration.ofMillis(500)); // 10 tokens back: fewer than the 30 sent per round
        }
        assertEquals(100, allowed);
        assertTrue(throttled > 0, "some requests were throttled on the way: " + throttled);
        clock.advance(Duration.ofSeconds(10)); // the bucket is full again: only the quota can refuse
        HttpResponse<String> afterQuota = server.get("/pets", PREMIUM);
        assertEquals(429, afterQuota.statusCode());
        assertEquals("{\"message\":\"Limit Exceeded\"}", afterQuota.body());
    }

    @Test
    void afterTheQuotaIsUsedUpEveryRequestSaysLimitExceededHoweverFastItComes() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(200, server.get("/pets", BASIC).statusCode());
        }
        for (int i = 0; i < 25; i++) {
            HttpResponse<String> r = server.get("/pets", BASIC);
            assertEquals(429, r.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
        }
    }

    @Test
    void devIsNotLimitedAtOneHundredQuickRequests() throws Exception {
        for (int i = 1; i <= 100; i++) {
            HttpResponse<String> r = server.get("/pets", DEV);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals("\"dev-burst\";r=" + (2000 - i) + ";t=" + (i == 0 ? 0 : 1), header(r, "RateLimit"));
        }
        HttpResponse<String> r = server.get("/pets", DEV);
        assertEquals("\"dev-burst\";q=2000;w=2", header(r, "RateLimit-Policy"), "dev has no quota");
    }

    @Test
    void methodThrottleOnGetPetBitesAfterThreeWhileListStillPasses() throws Exception {
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> r = server.get("/pets/" + i, PREMIUM);
            assertEquals(200, r.statusCode(), "GET /pets/" + i);
            assertEquals("\"premium-/pets/{petId}/GET\";q=3;w=3, \"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400",
                    header(r, "RateLimit-Policy"));
        }
        HttpResponse<String> fourth = server.get("/pets/4", PREMIUM);
        assertEquals(429, fourth.statusCode());
        assertEquals("{\"message\":\"Too Many Requests\"}", fourth.body());
        assertEquals("1", header(fourth, "Retry-After"));
        assertEquals("\"premium-/pets/{petId}/GET\";r=0;t=3, \"premium-burst\";r=37;t=1, \"premium-day\";r=97;t=43200",
                header(fourth, "RateLimit"), "the rejected call took no plan token and no quota");

        HttpResponse<String> list = server.get("/pets", PREMIUM);
        assertEquals(200, list.statusCode());
        assertEquals("\"premium-burst\";r=36;t=1, \"premium-day\";r=96;t=43200", header(list, "RateLimit"));
        assertEquals(200, server.send("POST", "/pets", PREMIUM).statusCode(), "POST is another method");

        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, server.get("/pets/4", PREMIUM).statusCode(), "one token per second comes back");
    }

    @Test
    void missingUnknownAndDisabledKeysAreForbidden() throws Exception {
        for (String key : new String[] {null, "this-key-is-not-in-the-catalog", DISABLED}) {
            HttpResponse<String> r = server.get("/pets", key);
            assertEquals(403, r.statusCode(), "key " + key);
            assertEquals("{\"message\":\"Forbidden\"}", r.body());
            assertEquals("application/json", header(r, "Content-Type"));
            assertFalse(r.headers().firstValue("RateLimit").isPresent());
            assertFalse(r.headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void keyHeaderNameIsCaseInsensitive() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(server.uri("/pets")).header("X-API-Key", PREMIUM).build();
        assertEquals(200, Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void eachKeyHasItsOwnBuckets() throws Exception {
        for (int i = 0; i < 40; i++) {
            server.get("/pets", PREMIUM);
        }
        assertEquals(429, server.get("/pets", PREMIUM).statusCode());
        assertEquals(200, server.get("/pets", BASIC).statusCode());
        assertEquals(200, server.get("/pets", DEV).statusCode());
    }

    static String header(HttpResponse<?> response, String name) {
        Optional<String> value = response.headers().firstValue(name);
        return value.orElseThrow(() -> new AssertionError("no " + name + " header in " + response.headers().map()));
    }

    static long quotaRemaining(HttpResponse<?> response, String policy) {
        for (String item : header(response, "RateLimit").split(",\\s*")) {
            if (item.startsWith("\"" + policy + "\"")) {
                for (String parameter : item.split(";")) {
                    if (parameter.startsWith("r=")) {
                        return Long.parseLong(parameter.substring(2));
                    }
                }
            }
        }
        throw new AssertionError("no policy " + policy + " in " + header(response, "RateLimit"));
    }
}
