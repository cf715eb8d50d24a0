package io.usageplans.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/** The gauges operators ask for, and the registry the listener counts into: the application's bean, else the global one. */
class GaugesAndRegistryTest {

    static final String BASIC_1 = "basic-key-one-0123456789";
    static final String BASIC_2 = "basic-key-two-0123456789";
    static final String DEV = "dev-key-value-0123456789";

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");

    static Catalog catalog() {
        return Catalog.builder()
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(100).burstLimit(100))
                        .quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(100).burstLimit(100)).stage("test").build())
                .apiKey(ApiKey.builder("basic-one").value(BASIC_1).plans("basic").build())
                .apiKey(ApiKey.builder("basic-two").value(BASIC_2).plans("basic").build())
                .apiKey(ApiKey.builder("dev").value(DEV).plans("dev").build())
                .build();
    }

    private static double gauge(MeterRegistry registry, String name, String... tags) {
        Gauge gauge = registry.find(name).tags(tags).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void activeKeysAndQuotaUsedPerPlanComeFromTheStoreAndLeaveWithTheEngine() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).discoverListeners(false)
                .listener(new MicrometerUsageListener(registry)).build();
        for (int i = 0; i < 3; i++) {
            engine.decide(BASIC_1, "GET", "/a");
        }
        for (int i = 0; i < 4; i++) {
            engine.decide(BASIC_2, "GET", "/a");
        }
        engine.decide(DEV, "GET", "/a");

        assertEquals(3.0, gauge(registry, MicrometerUsageListener.ACTIVE_KEYS, "stage", "test"));
        assertEquals(7.0, gauge(registry, MicrometerUsageListener.QUOTA_USED, "stage", "test", "plan", "basic"));
        assertNull(registry.find(MicrometerUsageListener.QUOTA_USED).tags("plan", "dev").gauge(), "dev has no quota");

        engine.close();
        assertNull(registry.find(MicrometerUsageListener.ACTIVE_KEYS).gauge());
        assertNull(registry.find(MicrometerUsageListener.QUOTA_USED).gauge());
    }

    @Test
    void quotaUsedStartsAgainWithTheNextPeriodOnceTheGaugeReadsAgain() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).discoverListeners(false)
                .listener(new MicrometerUsageListener(registry)).build()) {
            engine.decide(BASIC_1, "GET", "/a");
            engine.decide(BASIC_1, "GET", "/a");
            assertEquals(2.0, gauge(registry, MicrometerUsageListener.QUOTA_USED, "plan", "basic"));
            engine.decide(BASIC_1, "GET", "/a");
            assertEquals(2.0, gauge(registry, MicrometerUsageListener.QUOTA_USED, "plan", "basic"), "read at most every 5 s");
            clock.advance(Duration.ofSeconds(5));
            assertEquals(3.0, gauge(registry, MicrometerUsageListener.QUOTA_USED, "plan", "basic"));
            clock.advance(Duration.ofDays(1));
            assertEquals(0.0, gauge(registry, MicrometerUsageListener.QUOTA_USED, "plan", "basic"));
        }
    }

    @Test
    void countsIntoTheApplicationsMeterRegistryBeanWhenThereIsOne() {
        try (WeldContainer container = new Weld().disableDiscovery().addBeanClasses(RegistryProducer.class).initialize()) {
            MeterRegistry bean = container.select(MeterRegistry.class).get();
            MicrometerUsageListener listener = new MicrometerUsageListener(); // as ServiceLoader makes it
            try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).discoverListeners(false)
                    .listener(listener).build()) {
                engine.decide(BASIC_1, "GET", "/a");
                assertEquals(1.0, bean.find(MicrometerUsageListener.METER).tags("plan", "basic", "outcome", "allowed")
                        .counter().count());
                assertEquals(1.0, gauge(bean, MicrometerUsageListener.ACTIVE_KEYS, "stage", "test"));
            }
        }
    }

    @Test
    void withoutCdiItCountsIntoTheGlobalRegistry() {
        assertSame(Metrics.globalRegistry, new MicrometerUsageListener().registry());
    }

    /** The application's registry, as a server or the application produces it. */
    @ApplicationScoped
    public static class RegistryProducer {
        private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

        @Produces
        @ApplicationScoped
        MeterRegistry registry() {
            return registry;
        }
    }
}
