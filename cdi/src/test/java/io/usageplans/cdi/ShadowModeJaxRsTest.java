package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Instant;

import io.usageplans.routing.MeteringContext;
import jakarta.enterprise.inject.spi.CDI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code usageplans.shadow=true} on the CDI path (Weld + Jersey on Jetty): the JAX-RS feature and the interceptor let
 * through what they would refuse, with the same RateLimit numbers.
 */
class ShadowModeJaxRsTest {

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        System.setProperty("usageplans.shadow", "true");
        server = CdiServer.start(PlainResource.class, OpenResource.class);
    }

    @AfterEach
    void stop() {
        try {
            server.close();
        } finally {
            System.clearProperty("usageplans.shadow");
        }
    }

    @Test
    void aResourceThePlanMayNotCallAndAKeylessCallerAreServed() throws Exception {
        HttpResponse<String> basic = server.get("/api/plain", AnnotationsOverHttpTest.BASIC);
        assertEquals(200, basic.statusCode(), "basic may not call a premium resource: 403 when enforcing");
        assertEquals("{\"plain\":true}", basic.body());
        assertEquals(200, server.get("/api/plain", null).statusCode(), "no key: 403 when enforcing");
    }

    @Test
    void aMeteredBeanCalledPastItsQuotaReturnsInsteadOfThrowing() throws Exception {
        ReportService reports = CDI.current().select(ReportService.class).get();
        for (int i = 1; i <= 13; i++) {
            assertEquals("{\"report\":\"daily\"}", MeteringContext.withKey(AnnotationsOverHttpTest.BASIC, reports::daily),
                    "call " + i + " of a quota of 10");
        }
    }
}
