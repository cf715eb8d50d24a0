package io.usageplans.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import io.usageplans.Decision;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.UsagePlans;
import io.usageplans.routing.MeteringContext;
import jakarta.enterprise.inject.spi.CDI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptor is given the bean it meters ({@code @Intercepted Bean<?>}) and the running engine by injection: a
 * method two beans inherit is metered as each bean's own route, whatever proxy class the container made.
 */
class InterceptedBeanTest {

    private static final String DEV = "demo-dev-key-0123456789";

    private CdiServer server;

    @BeforeEach
    void start() throws Exception {
        TestClock.CLOCK.set(Instant.parse("2027-03-10T12:00:00Z"));
        server = CdiServer.start(PetsResource.class);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aMethodTwoBeansInheritIsThrottledPerBean() throws Exception {
        NightlyReports nightly = CDI.current().select(NightlyReports.class).get();
        WeeklyReports weekly = CDI.current().select(WeeklyReports.class).get();

        assertEquals("ran", MeteringContext.withKey(DEV, nightly::run));
        assertEquals("ran", MeteringContext.withKey(DEV, weekly::run), "the weekly bean's own bucket, burst 1");
        assertThrows(UsagePlanRejectedException.Throttled.class, () -> MeteringContext.withKey(DEV, nightly::run),
                "the nightly bean's bucket is empty");
        assertThrows(UsagePlanRejectedException.Throttled.class, () -> MeteringContext.withKey(DEV, weekly::run));
    }

    @Test
    void injectedEngineIsTheOneThatMetersTheBeans() throws Exception {
        UsagePlans engine = CDI.current().select(UsagePlans.class).get();
        assertEquals(0L, allowedOnDev(engine));
        MeteringContext.withKey(DEV, CDI.current().select(NightlyReports.class).get()::run);
        assertEquals(1L, allowedOnDev(engine));
    }

    private static long allowedOnDev(UsagePlans engine) {
        return engine.counters().byPlan().getOrDefault("dev", java.util.Map.of()).getOrDefault(Decision.Outcome.ALLOWED, 0L);
    }
}
