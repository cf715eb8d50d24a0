package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Instant;

import io.usageplans.routing.MeteringContext;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.UsagePlans;
import jakarta.enterprise.inject.spi.CDI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Resources CDI did not discover are metered by the JAX-RS feature; bean methods called outside requests need a key. */
class JaxRsFallbackAndExplicitKeyTest {

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        server = CdiServer.start(PlainResource.class, OpenResource.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aResourceCdiDidNotDiscoverIsStillMeteredOncePerRequest() throws Exception {
        HttpResponse<String> basic = server.get("/api/plain", AnnotationsOverHttpTest.BASIC);
        assertEquals(403, basic.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", basic.body());
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> premium = server.get("/api/plain", AnnotationsOverHttpTest.PREMIUM);
            assertEquals(200, premium.statusCode());
            assertEquals("\"premium-burst\";r=" + (40 - i) + ";t=1, \"premium-day\";r=" + (100 - i) + ";t=43200",
                    premium.headers().firstValue("RateLimit").orElseThrow());
        }
        assertEquals(403, server.get("/api/plain", null).statusCode());
    }

    @Test
    void aMeteredBeanCalledOutsideARequestWithoutAKeyFailsClearly() {
        ReportService reports = CDI.current().select(ReportService.class).get();
        IllegalStateException e = assertThrows(IllegalStateException.class, reports::daily);
        assertEquals("usage-plans: io.usageplans.cdi.ReportService#daily() is metered, but it was called outside an HTTP "
                + "request and without MeteringContext.withKey(apiKey, ...): there is no API key to charge it to", e.getMessage());
        assertEquals("{\"report\":\"free\"}", reports.free(), "unannotated methods are not metered");
    }

    @Test
    void aMeteredBeanCalledWithAnExplicitKeyIsChargedToThatKey() throws Exception {
        ReportService reports = CDI.current().select(ReportService.class).get();
        for (int i = 1; i <= 10; i++) {
            assertEquals("{\"report\":\"daily\"}", MeteringContext.withKey(AnnotationsOverHttpTest.BASIC, reports::daily));
        }
        UsagePlanRejectedException e = assertThrows(UsagePlanRejectedException.QuotaExceeded.class,
                () -> MeteringContext.withKey(AnnotationsOverHttpTest.BASIC, reports::daily));
        assertEquals(429, e.status());
        assertEquals(43200, e.retryAfterSeconds());
        assertEquals("\"basic-burst\";q=20;w=2, \"basic-day\";q=10;w=86400", e.policy());
        assertTrue(e.getMessage().startsWith("Limit Exceeded, retry after 43200 s (plan basic)"), e.getMessage());

        UsagePlanRejectedException forbidden = assertThrows(UsagePlanRejectedException.Forbidden.class,
                () -> MeteringContext.withKey(AnnotationsOverHttpTest.BASIC, reports::expensive));
        assertEquals(403, forbidden.status());
    }

    @Test
    void theEngineIsInjectable() {
        UsagePlans engine = CDI.current().select(UsagePlans.class).get();
        assertEquals("test", engine.stage());
        assertEquals("MyProjectAPI", engine.catalog().api());
    }
}
