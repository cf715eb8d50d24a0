package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.usageplans.routing.MeteringContext;
import io.usageplans.config.PlanFileLocator;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.servlet.MeteringCondition;
import io.usageplans.testsupport.Http;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skip conditions, countStatuses and custom responses hold however a request is metered: by path in the servlet
 * filter ({@code /api/...}), by route in the JAX-RS feature only ({@code /v1/...}: a mapping no compiled path covers),
 * or by the interceptor on a bean an unannotated resource calls ({@code /api/open/...}).
 */
class EveryMeteringPathTest {

    static final String BASIC = "every-path-basic-key-0123456789";
    static final String COUNTED = "every-path-counted-key-0123456789";
    static final String PREMIUM = "every-path-premium-key-0123456789";

    private static final String PLANS = """
            api: MyProjectAPI
            excludePaths: [ /v1/pets/export ]
            skip:
              - { header: X-Internal, equals: "yes" }
              - { class: io.usageplans.cdi.EveryMeteringPathTest$Probe }
            responses:
              throttled: { body: "" }
              quotaExceeded: { problem: true }
              forbidden: { status: 401, body: "", headers: { WWW-Authenticate: ApiKey } }
            plans:
              - name: basic
                throttle: { rateLimit: 1000, burstLimit: 2000 }
                quota: { limit: 2, period: DAY }
                apiStages: [ { stage: test } ]
              - name: counted
                quota: { limit: 3, period: DAY, countStatuses: 2xx }
                apiStages: [ { stage: test } ]
              - name: premium
                throttle: { rateLimit: 0.001, burstLimit: 2 }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: basic-customer, value: every-path-basic-key-0123456789, plans: [basic] }
              - { name: counted-customer, value: every-path-counted-key-0123456789, plans: [counted] }
              - { name: premium-customer, value: every-path-premium-key-0123456789, plans: [premium] }
            """;

    /** A condition of the application's own: health probes do not count. */
    public static class Probe implements MeteringCondition {
        @Override
        public boolean test(HttpServletRequest request) {
            return "probe".equals(request.getHeader("X-Probe"));
        }
    }

    @TempDir
    Path dir;

    private CdiServer server;

    @BeforeEach
    void planFile() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        Path file = dir.resolve("usage-plans.yaml");
        Files.writeString(file, PLANS);
        System.setProperty(PlanFileLocator.CONFIG, file.toString());
    }

    @AfterEach
    void stop() {
        System.clearProperty(PlanFileLocator.CONFIG);
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path, String key, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUri() + path));
        if (key != null) {
            request.header("x-api-key", key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return Http.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every header but Date, the one that may differ between two answers of the same refusal. */
    private static Map<String, List<String>> headers(HttpResponse<?> response) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(response.headers().map());
        headers.remove("date");
        return headers;
    }

    private static String rateLimit(HttpResponse<?> response) {
        return response.headers().firstValue("RateLimit").orElseThrow(() -> new AssertionError("no RateLimit in "
                + response.headers().map()));
    }

    @Test
    void anExcludedPathIsNotMeteredByTheJaxRsFeatureEither() throws Exception {
        server = CdiServer.start(true, new String[] {"/api/*", "/v1/*"}, PetsResource.class);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> excluded = get("/v1/pets/export", null);
            assertEquals(200, excluded.statusCode(), "excluded, so no key is needed: " + excluded.body());
            assertFalse(excluded.headers().firstValue("RateLimit").isPresent(), "not metered");
        }
        assertEquals(401, get("/api/pets/export", null).statusCode(), "the same method at a path that is not excluded");
    }

    @Test
    void aSkipConditionAppliesToAnAnnotatedJaxRsEndpointAndItIsNotCounted() throws Exception {
        server = CdiServer.start(true, new String[] {"/api/*", "/v1/*"}, PetsResource.class, OpenResource.class,
                PlainResource.class);
        for (int round = 0; round < 3; round++) {
            for (String path : List.of("/api/pets", "/v1/pets", "/api/open/expensive", "/v1/plain")) {
                HttpResponse<String> internal = get(path, null, "X-Internal", "yes");
                assertEquals(200, internal.statusCode(), "skipped, so no key is needed: " + path + " " + internal.body());
                assertFalse(internal.headers().firstValue("RateLimit").isPresent(), "not metered: " + path);
                HttpResponse<String> probe = get(path, BASIC, "X-Probe", "probe");
                assertEquals(200, probe.statusCode(), "a class condition skips it too, whatever the key: " + path);
                assertFalse(probe.headers().firstValue("RateLimit").isPresent(), "not metered: " + path);
            }
        }
        assertEquals(401, get("/v1/pets", null, "X-Internal", "no").statusCode(), "equals, not present");
        assertEquals(401, get("/api/open/expensive", BASIC).statusCode(), "unskipped, the bean is premium only");

        HttpResponse<String> first = get("/api/pets", BASIC);
        assertEquals(200, first.statusCode());
        assertTrue(rateLimit(first).endsWith("\"basic-day\";r=1;t=43200"), "none of the skipped requests counted: " + rateLimit(first));
        HttpResponse<String> second = get("/v1/pets", BASIC);
        assertEquals(200, second.statusCode());
        assertTrue(rateLimit(second).endsWith("\"basic-day\";r=0;t=43200"), "counted once: " + rateLimit(second));
        assertEquals(429, get("/api/pets", BASIC).statusCode());
        assertEquals(200, get("/v1/pets", BASIC, "X-Internal", "yes").statusCode(), "a used-up quota does not refuse skipped requests");
    }

    @Test
    void countStatusesGivesUnitsBackForRequestsMeteredByTheJaxRsFeature() throws Exception {
        server = CdiServer.start(true, new String[] {"/api/*", "/v1/*"}, StatusResource.class, OpenResource.class);
        for (String path : List.of("/v1/status/500", "/v1/status/404", "/api/status/503", "/api/open/daily/500",
                "/v1/open/daily/401")) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> failed = get(path, COUNTED);
                assertEquals(Integer.parseInt(path.substring(path.length() - 3)), failed.statusCode(), path);
            }
        }
        HttpResponse<String> first = get("/v1/status/200", COUNTED);
        assertEquals(200, first.statusCode());
        assertEquals("\"counted-day\";r=2;t=43200", rateLimit(first), "the 10 failures gave their units back");
        assertEquals(200, get("/api/open/daily/200", COUNTED).statusCode(), "the interceptor's call counts");
        HttpResponse<String> third = get("/api/status/200", COUNTED);
        assertEquals("\"counted-day\";r=0;t=43200", rateLimit(third), "each success counted once");
        HttpResponse<String> fourth = get("/v1/status/200", COUNTED);
        assertEquals(429, fourth.statusCode());
        assertEquals("application/problem+json", fourth.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void countStatusesGivesUnitsBackWhenJaxRsRunsWithoutTheServletFilter() throws Exception {
        server = CdiServer.start(false, new String[] {"/api/*"}, StatusResource.class);
        for (int i = 0; i < 5; i++) {
            assertEquals(500, get("/api/status/500", COUNTED).statusCode());
        }
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> ok = get("/api/status/204", COUNTED);
            assertEquals(204, ok.statusCode());
            assertEquals("\"counted-day\";r=" + (3 - i) + ";t=43200", rateLimit(ok));
        }
        assertEquals(429, get("/api/status/200", COUNTED).statusCode());
    }

    @Test
    void aBeanCallOutsideARequestCountsWhenItReturnsAndNotWhenItThrows() throws Exception {
        server = CdiServer.start(OpenResource.class);
        ReportService reports = CDI.current().select(ReportService.class).get();
        for (int i = 0; i < 5; i++) {
            IllegalStateException failed = assertThrows(IllegalStateException.class,
                    () -> MeteringContext.withKey(COUNTED, reports::broken));
            assertEquals("the report failed", failed.getMessage());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals("{\"report\":\"daily\"}", MeteringContext.withKey(COUNTED, reports::daily));
        }
        assertThrows(UsagePlanRejectedException.QuotaExceeded.class, () -> MeteringContext.withKey(COUNTED, reports::daily),
                "the three returns used the quota of 3; the five failures gave theirs back");
    }

    @Test
    void withoutTheServletFilterJaxRsWritesTheSameRefusals() throws Exception {
        server = CdiServer.start(false, new String[] {"/api/*"}, StatusResource.class);
        HttpResponse<String> forbidden = get("/api/status/200", null);
        assertEquals(401, forbidden.statusCode());
        assertEquals("", forbidden.body(), "not the server's HTML error page");
        assertEquals("ApiKey", forbidden.headers().firstValue("WWW-Authenticate").orElse(null));
        assertFalse(forbidden.headers().firstValue("Content-Type").isPresent(), forbidden.headers().map().toString());
        assertEquals("0", forbidden.headers().firstValue("Content-Length").orElse(null));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/api/status/200", COUNTED).statusCode());
        }
        HttpResponse<String> quota = get("/api/status/200", COUNTED);
        assertEquals(429, quota.statusCode());
        assertEquals("application/problem+json", quota.headers().firstValue("Content-Type").orElse(null));
        assertEquals("{\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\",\"title\":\"Request cannot "
                + "be satisfied as assigned quota has been exceeded\",\"status\":429,\"detail\":\"Limit Exceeded\","
                + "\"violated-policies\":[\"counted-day\"],\"retry-after\":43200}", quota.body());
        assertEquals("43200", quota.headers().firstValue("Retry-After").orElse(null));
        assertEquals("\"counted-day\";q=3;w=86400", quota.headers().firstValue("RateLimit-Policy").orElse(null));
    }

    @Test
    void withoutTheServletFilterTwoDifferentKeysAreRefusedAsSeveralKeysAndARepeatedKeyCountsOnce() throws Exception {
        server = CdiServer.start(false, new String[] {"/api/*"}, StatusResource.class);
        HttpRequest.Builder two = HttpRequest.newBuilder(URI.create(server.baseUri() + "/api/status/200"))
                .header("x-api-key", COUNTED).header("x-api-key", BASIC);
        assertEquals(401, Http.CLIENT.send(two.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        io.usageplans.UsagePlans engine = jakarta.enterprise.inject.spi.CDI.current().select(io.usageplans.UsagePlans.class).get();
        assertEquals(1L, engine.counters().forbiddenByReason().get(io.usageplans.Decision.ForbiddenReason.SEVERAL_KEYS));
        HttpRequest.Builder same = HttpRequest.newBuilder(URI.create(server.baseUri() + "/api/status/200"))
                .header("x-api-key", COUNTED).header("x-api-key", COUNTED);
        HttpResponse<String> once = Http.CLIENT.send(same.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, once.statusCode());
        assertEquals("\"counted-day\";r=2;t=43200", rateLimit(once));
    }

    @Test
    void aCustomEmptyThrottledBodyIsEmptyOnAnAnnotatedJaxRsEndpointToo() throws Exception {
        server = CdiServer.start(true, new String[] {"/api/*", "/v1/*"}, PetsResource.class, OpenResource.class,
                PlainResource.class);
        for (int i = 0; i < 2; i++) {
            assertEquals(200, get("/api/plain", PREMIUM).statusCode());
        }
        HttpResponse<String> byFilter = get("/api/plain", PREMIUM);
        assertEquals(429, byFilter.statusCode());
        assertEquals("", byFilter.body());
        assertEquals("1000", byFilter.headers().firstValue("Retry-After").orElse(null));
        assertFalse(byFilter.headers().firstValue("Content-Type").isPresent(), byFilter.headers().map().toString());
        assertEquals("0", byFilter.headers().firstValue("Content-Length").orElse(null));

        HttpResponse<String> byJaxRs = get("/v1/plain", PREMIUM);
        assertEquals(429, byJaxRs.statusCode());
        assertEquals("", byJaxRs.body(), "not the server's HTML error page");
        assertEquals(headers(byFilter), headers(byJaxRs));

        HttpResponse<String> byInterceptor = get("/api/open/expensive", PREMIUM);
        assertEquals(429, byInterceptor.statusCode());
        assertEquals("", byInterceptor.body());
        assertEquals(headers(byFilter).keySet(), headers(byInterceptor).keySet());
        assertEquals("0", byInterceptor.headers().firstValue("Content-Length").orElse(null));
        assertEquals("1000", byInterceptor.headers().firstValue("Retry-After").orElse(null));
    }

    @Test
    void customForbiddenAndProblemResponsesAreIdenticalOnEveryPath() throws Exception {
        server = CdiServer.start(true, new String[] {"/api/*", "/v1/*"}, PetsResource.class, OpenResource.class);
        HttpResponse<String> byFilter = get("/api/pets", null);
        assertEquals(401, byFilter.statusCode());
        assertEquals("", byFilter.body());
        assertEquals("ApiKey", byFilter.headers().firstValue("WWW-Authenticate").orElse(null));
        for (String path : List.of("/v1/pets", "/api/open/expensive")) {
            HttpResponse<String> other = get(path, null);
            assertEquals(401, other.statusCode(), path);
            assertEquals("", other.body(), path);
            assertEquals(headers(byFilter), headers(other), path);
        }

        assertEquals(200, get("/api/pets", BASIC).statusCode());
        assertEquals(200, get("/v1/pets", BASIC).statusCode());
        HttpResponse<String> quotaByFilter = get("/api/pets", BASIC);
        assertEquals(429, quotaByFilter.statusCode());
        assertTrue(quotaByFilter.body().startsWith("{\"type\":\"https://iana.org/assignments/http-problem-types#quota-exceeded\""),
                quotaByFilter.body());
        HttpResponse<String> quotaByJaxRs = get("/v1/pets", BASIC);
        assertEquals(429, quotaByJaxRs.statusCode());
        assertEquals(quotaByFilter.body(), quotaByJaxRs.body());
        assertEquals(headers(quotaByFilter), headers(quotaByJaxRs));
    }
}
