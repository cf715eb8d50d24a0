package io.usageplans.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.usageplans.Quota;
import io.usageplans.Throttle;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

class MicrometerUsageListenerTest {

    static final String KEY = "metrics-key-value-0123456789";

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");

    static Catalog catalog() {
        return Catalog.builder()
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2)).quota(Quota.limit(3).period(QuotaPeriod.DAY)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(KEY).plans("basic").build())
                .build();
    }

    @Test
    void countsEveryOutcomePerPlanAndNeverTagsTheKey() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).discoverListeners(false)
                .listener(new MicrometerUsageListener(registry)).build()) {
            engine.decide(KEY, "GET", "/a");
            engine.decide(KEY, "GET", "/a");
            engine.decide(KEY, "GET", "/a"); // burst of 2: throttled
            clock.advance(java.time.Duration.ofSeconds(5));
            engine.decide(KEY, "GET", "/a");
            engine.decide(KEY, "GET", "/a"); // quota of 3: exceeded
            engine.decide("unknown-key-value-0123456789", "GET", "/a");
            engine.decide(null, "GET", "/a");
        }

        assertEquals(3.0, count(registry, "basic", "allowed", "none"));
        assertEquals(1.0, count(registry, "basic", "throttled", "none"));
        assertEquals(1.0, count(registry, "basic", "quota_exceeded", "none"));
        assertEquals(1.0, count(registry, "none", "forbidden", "unknown_key"));
        assertEquals(1.0, count(registry, "none", "forbidden", "missing_key"));
        Set<String> tagValues = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).map(Tag::getValue)
                .collect(Collectors.toSet());
        assertTrue(tagValues.stream().noneMatch(v -> v.contains("customer") || v.contains("key-value")), tagValues.toString());
        Set<String> tagKeys = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream()).map(Tag::getKey)
                .collect(Collectors.toSet());
        assertEquals(Set.of("stage", "plan", "outcome", "reason"), tagKeys);
    }

    @Test
    void withTheJarOnTheClassPathEveryEngineCountsIntoTheGlobalRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).build()) {
            engine.decide(KEY, "GET", "/a");
            assertEquals(1.0, count(registry, "basic", "allowed", "none"));
        } finally {
            Metrics.removeRegistry(registry);
        }
    }

    private static double count(SimpleMeterRegistry registry, String plan, String outcome, String reason) {
        Counter counter = registry.find(MicrometerUsageListener.METER)
                .tags("stage", "test", "plan", plan, "outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
