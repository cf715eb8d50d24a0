package io.usageplans.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.StageSettings;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** What keyless callers and stage buckets leave in the local store: bounded, and gone once idle. */
class KeylessAndStageStateTest {

    private static final String KEY = "keyless-state-key-0123456789";

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private Catalog catalog() {
        return Catalog.builder()
                .plan(Plan.builder("signup").throttle(Throttle.rateLimit(1).burstLimit(5))
                        .quota(Quota.limit(50).period(QuotaPeriod.DAY)).build())
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).stage("test").build())
                .stage(StageSettings.of("test").withKeyless("/signup/POST", "signup")
                        .withThrottle("/pets/GET", Throttle.rateLimit(100).burstLimit(100)))
                .apiKey(ApiKey.builder("customer").value(KEY).plans("basic").build())
                .build();
    }

    @Test
    void idleKeylessClientsAndStageBucketsAreEvictedWithoutKeepingHistoryWhileKeysKeepTheirs() {
        LocalUsageStore store = LocalUsageStore.create(clock, Duration.ZERO);
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).store(store).build()) {
            for (int i = 0; i < 1000; i++) {
                Decision d = engine.decide(null, "198.51." + (i / 250) + "." + (i % 250), "POST", "/signup");
                assertEquals(Decision.Outcome.ALLOWED, d.outcome());
                assertNull(d.apiKey(), "a keyless caller has no key");
                assertEquals("signup", d.planName());
            }
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome());
            long today = LocalDate.of(2027, 3, 10).toEpochDay();
            String client = UsageStore.clientStateKey("198.51.0.7", "signup");
            assertEquals(1, store.dailyUsage(client, today, today).get(0).used(), "counted while it is active");

            clock.advance(Duration.ofDays(1));
            assertEquals(1002, store.evictIdle(), "1000 clients, the key, and the stage bucket of GET /pets");
            assertTrue(store.dailyUsage(client, today, today).isEmpty(), "an idle keyless client leaves nothing behind");
            assertEquals(1, store.dailyUsage(UsageStore.stateKey("customer", "basic"), today, today).size(),
                    "a key's daily usage is kept for reports");
        }
    }

    @Test
    void aKeylessMethodWithoutAClientAddressIsForbiddenNotUnmetered() {
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).build()) {
            Decision d = engine.decide(null, null, "POST", "/signup");
            assertEquals(Decision.Outcome.FORBIDDEN, d.outcome());
        }
    }
}
