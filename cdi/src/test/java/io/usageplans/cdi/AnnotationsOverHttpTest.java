package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The annotations on JAX-RS resources and CDI beans, with real Weld, Jersey and Jetty, over real HTTP. */
class AnnotationsOverHttpTest {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        server = CdiServer.start(PetsResource.class, OpenResource.class, UsageResource.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.headers().map()));
    }

    @Test
    void classLevelUsagePlanMetersEveryEndpointAndTheEleventhBasicRequestIsLimitExceeded() throws Exception {
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> r = server.get("/api/pets", BASIC);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals("[{\"id\":1}]", r.body());
            assertEquals("\"basic-burst\";r=" + (20 - i) + ";t=1, \"basic-day\";r=" + (10 - i) + ";t=43200", header(r, "RateLimit"));
        }
        HttpResponse<String> r = server.get("/api/pets", BASIC);
        assertEquals(429, r.statusCode());
        assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
        assertEquals("43200", header(r, "Retry-After"));
        assertEquals(403, server.get("/api/pets", null).statusCode());
    }

    @Test
    void aListenerBeanHearsEveryMeteredRequestAndNoUnmeteredOne() throws Exception {
        RecordingListener.HEARD.clear();
        assertEquals(200, server.get("/api/pets", BASIC).statusCode());
        assertEquals(403, server.get("/api/pets", null).statusCode());
        assertEquals(403, server.get("/api/pets/export", BASIC).statusCode());
        assertEquals(java.util.List.of("ALLOWED basic GET /api/pets", "FORBIDDEN null GET /api/pets",
                "FORBIDDEN basic GET /api/pets/export"), RecordingListener.HEARD);
    }

    @Test
    void thePlanFilesMethodThrottleWinsOverMethodThrottleForItsPlanWhileOtherPlansGetTheAnnotations() throws Exception {
        // premium: the plan file's 0.5/s, burst 2 for /api/pets/{petId}/GET
        for (int i = 1; i <= 2; i++) {
            HttpResponse<String> r = server.get("/api/pets/" + i, PREMIUM);
            assertEquals(200, r.statusCode());
            assertEquals("{\"id\":" + i + "}", r.body());
        }
        HttpResponse<String> third = server.get("/api/pets/3", PREMIUM);
        assertEquals(429, third.statusCode());
        assertEquals("{\"message\":\"Too Many Requests\"}", third.body());
        assertEquals("2", header(third, "Retry-After"), "one token of 0.5 per second");
        assertEquals("\"premium-/api/pets/{petId}/GET\";q=2;w=4, \"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400",
                header(third, "RateLimit-Policy"));
        // dev: the plan file says nothing for dev, so @MethodThrottle(rate = 1, burst = 3) applies
        for (int i = 1; i <= 3; i++) {
            assertEquals(200, server.get("/api/pets/" + i, DEV).statusCode());
        }
        HttpResponse<String> fourth = server.get("/api/pets/4", DEV);
        assertEquals(429, fourth.statusCode());
        assertEquals("1", header(fourth, "Retry-After"));
        assertEquals("\"dev-/api/pets/{petId}/GET\";q=3;w=3, \"dev-burst\";q=2000;w=2", header(fourth, "RateLimit-Policy"));

        assertEquals(200, server.get("/api/pets", PREMIUM).statusCode(), "the list has no method throttle");
        assertEquals(200, server.send("POST", "/api/pets", PREMIUM).statusCode());
        TestClock.CLOCK.advance(Duration.ofSeconds(1));
        assertEquals(200, server.get("/api/pets/4", DEV).statusCode());
        assertEquals(429, server.get("/api/pets/4", PREMIUM).statusCode(), "half a token after one second");
        TestClock.CLOCK.advance(Duration.ofSeconds(1));
        assertEquals(200, server.get("/api/pets/4", PREMIUM).statusCode());
    }

    @Test
    void premiumOnlyEndpointForbidsBasicKeys() throws Exception {
        HttpResponse<String> basic = server.get("/api/pets/export", BASIC);
        assertEquals(403, basic.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", basic.body());
        assertEquals(200, server.get("/api/pets/export", PREMIUM).statusCode());
        assertEquals(403, server.get("/api/pets/owners/7/pets", DEV).statusCode(), "the sub-resource is premium only");
        assertEquals(200, server.get("/api/pets/owners/7/pets", PREMIUM).statusCode());
    }

    @Test
    void unmeteredMethodAndUnannotatedResourceNeedNoKey() throws Exception {
        HttpResponse<String> health = server.get("/api/pets/health", null);
        assertEquals(200, health.statusCode());
        assertFalse(health.headers().firstValue("RateLimit").isPresent());
        assertEquals(200, server.get("/api/open", null).statusCode());
    }

    @Test
    void aRequestCrossingFilterJaxRsAndAnInterceptedBeanIsCountedOnce() throws Exception {
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> r = server.get("/api/pets/report", BASIC);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals("{\"report\":\"daily\"}", r.body());
        }
        HttpResponse<String> eleventh = server.get("/api/pets/report", BASIC);
        assertEquals(429, eleventh.statusCode());
        assertEquals("{\"message\":\"Limit Exceeded\"}", eleventh.body());
    }

    @Test
    void aBeanMethodCalledFromAnUnmeteredResourceIsMeteredWithTheRequestsKey() throws Exception {
        HttpResponse<String> basic = server.get("/api/open/expensive", BASIC);
        assertEquals(403, basic.statusCode(), "the bean method is premium only");
        assertEquals("{\"message\":\"Forbidden\"}", basic.body());
        assertEquals("application/json", header(basic, "Content-Type"));

        HttpResponse<String> first = server.get("/api/open/expensive", PREMIUM);
        assertEquals(200, first.statusCode());
        assertEquals("{\"report\":\"expensive\"}", first.body());
        assertEquals(200, server.get("/api/open/expensive", PREMIUM).statusCode());
        HttpResponse<String> third = server.get("/api/open/expensive", PREMIUM);
        assertEquals(429, third.statusCode(), "the bean's method throttle has a burst of 2");
        assertEquals("{\"message\":\"Too Many Requests\"}", third.body());
        assertEquals("1", header(third, "Retry-After"));
        assertTrue(header(third, "RateLimit").startsWith("\"premium-io.usageplans.cdi.ReportService#expensive\";r=0;t=2"),
                header(third, "RateLimit"));
    }

    @Test
    void theApplicationsKeyResolverBeanIsUsed() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                server.baseUri() + "/api/pets")).header("Authorization", "ApiKey " + PREMIUM).build();
        HttpResponse<String> r = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "the alternative resolver reads the Authorization header");
        assertTrue(header(r, "RateLimit").startsWith("\"premium-burst\";r=39"));
    }

    @Test
    void theCallerSeesTheirOwnUsage() throws Exception {
        server.get("/api/pets", PREMIUM);
        HttpResponse<String> r = server.get("/api/usage", PREMIUM);
        assertEquals(200, r.statusCode());
        assertEquals("{\"key\":\"premium-customer\",\"plan\":\"premium\",\"throttleRemaining\":38,\"quotaRemaining\":98,"
                + "\"quotaResetsAt\":\"2027-03-11T00:00:00Z\"}", r.body());
    }
}
