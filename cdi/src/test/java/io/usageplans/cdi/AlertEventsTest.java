package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.usageplans.UsageAlert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A plan's alerts reach an application's {@code @Observes UsageAlert} method (Weld + Jersey on Jetty, over HTTP). */
class AlertEventsTest {

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        AlertObserver.HEARD.clear();
        System.setProperty("usageplans.config", "classpath:alerts-plans.yaml");
        server = CdiServer.start(PetsResource.class);
    }

    @AfterEach
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            System.clearProperty("usageplans.config");
        }
    }

    @Test
    void eightyAndOneHundredPercentOfTheQuotaAreObservedOnceEachAsCdiEvents() throws Exception {
        for (int i = 1; i <= 12; i++) {
            assertEquals(i <= 10 ? 200 : 429, server.get("/api/pets", AnnotationsOverHttpTest.BASIC).statusCode(),
                    "request " + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (AlertObserver.HEARD.size() < 2 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000L); // bounded polling: observers run on the alert thread
        }
        server.close(); // the engine closes: alert claims under way finish first
        server = null;
        List<String> heard = AlertObserver.HEARD.stream().map(a -> a.kind() + " " + a.plan() + " " + a.key() + " "
                + a.threshold() + " " + a.used() + "/" + a.limit() + " " + a.periodStart()).toList();
        assertEquals(List.of(
                "QUOTA basic basic-customer 80 8/10 2027-03-10T00:00:00Z",
                "QUOTA basic basic-customer 100 10/10 2027-03-10T00:00:00Z"), heard);
        assertEquals(UsageAlert.Kind.QUOTA, AlertObserver.HEARD.get(0).kind());
    }
}
