package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** @StageThrottle and @UsagePlan(keyless) on JAX-RS resources, found by the CDI extension, over real HTTP. */
class StageAndKeylessJaxRsTest {

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        server = CdiServer.start(CrowdResource.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aStageThrottleOnAResourceMethodIsOneBucketForEveryKey() throws Exception {
        assertEquals(200, server.get("/api/crowd", AnnotationsOverHttpTest.BASIC).statusCode());
        assertEquals(200, server.get("/api/crowd", AnnotationsOverHttpTest.PREMIUM).statusCode());
        HttpResponse<String> third = server.get("/api/crowd", AnnotationsOverHttpTest.DEV);
        assertEquals(429, third.statusCode());
        assertEquals("{\"message\":\"Too Many Requests\"}", third.body());
        assertEquals("1", third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(third.headers().firstValue("RateLimit").orElseThrow().endsWith("\"stage-/api/crowd/GET\";r=0;t=2"),
                third.headers().map().toString());
    }

    @Test
    void aKeylessResourceMethodCountsEachClientAddressUnderItsPlan() throws Exception {
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> r = server.send("POST", "/api/crowd/join", null);
            assertEquals(201, r.statusCode(), "sign-up " + i);
            assertEquals("{\"plan\":\"basic\",\"key\":\"none\"}", r.body());
        }
        HttpResponse<String> eleventh = server.send("POST", "/api/crowd/join", AnnotationsOverHttpTest.BASIC);
        assertEquals(429, eleventh.statusCode(), "basic's 10 a day, for this address; a key sent along is not used");
        assertEquals("{\"message\":\"Limit Exceeded\"}", eleventh.body());
        assertEquals(200, server.get("/api/crowd", AnnotationsOverHttpTest.BASIC).statusCode(),
                "the key's own quota was not touched");
    }
}
