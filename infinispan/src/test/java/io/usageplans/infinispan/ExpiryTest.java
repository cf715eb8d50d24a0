package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import org.infinispan.container.entries.CacheEntry;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.Test;

/**
 * Idle state leaves the cache by itself: every write sets the entry's lifespan to when its buckets are full again, its
 * quota period is over and its usage report window has passed.
 */
class ExpiryTest {

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    @Test
    void stateWithoutQuotaOrHistoryLeavesTheCacheOnceItsBucketIsFullAgain() {
        InfinispanUsageStore store = InfinispanUsageStore.builder(TestGrid.shared().nodes.get(0)).stateCache("expiry-" + UUID.randomUUID())
                .shareKeys(false).usageReportDays(0).build();
        TestGrid.shared().store(1, store.stateCache().getName(), 500);
        store.tryConsume(new MeteringRequest("idle|plan", new BucketSpec("plan", 2, 1_000_000_000L), null, null, clock.nanos()));
        assertNotNull(store.stateCache().get("idle|plan"));
        Await.until(() -> store.stateCache().get("idle|plan") == null, Duration.ofSeconds(5),
                "the entry expires about 1 s after its last write (its bucket is full again after 0.5 s)");
    }

    @Test
    void stateWithAQuotaLivesUntilItsPeriodEndsAndItsUsageIsReported() {
        InfinispanUsageStore store = InfinispanUsageStore.builder(TestGrid.shared().nodes.get(0)).stateCache("expiry-" + UUID.randomUUID())
                .shareKeys(false).usageReportDays(0).build();
        store.tryConsume(new MeteringRequest("daily|plan", null, null, Quota.limit(10).period(QuotaPeriod.DAY).windowAt(clock.instant()),
                clock.nanos()));
        CacheEntry<String, String> entry = store.stateCache().getAdvancedCache().getCacheEntry("daily|plan");
        long twelveHours = Duration.ofHours(12).toMillis();
        assertTrue(entry.getLifespan() > twelveHours - 1_000 && entry.getLifespan() <= twelveHours,
                "lives until 00:00 UTC, 12 h: " + entry.getLifespan());

        InfinispanUsageStore reporting = InfinispanUsageStore.builder(TestGrid.shared().nodes.get(0)).stateCache("expiry-" + UUID.randomUUID())
                .shareKeys(false).usageReportDays(90).build();
        reporting.tryConsume(new MeteringRequest("daily|plan", null, null, Quota.limit(10).period(QuotaPeriod.DAY).windowAt(clock.instant()),
                clock.nanos()));
        long lifespan = reporting.stateCache().getAdvancedCache().getCacheEntry("daily|plan").getLifespan();
        assertTrue(lifespan == twelveHours + Duration.ofDays(90).toMillis(),
                "kept for the 90 report days after the day of its last use: " + lifespan);
    }

    @Test
    void keylessClientsAndStageBucketsKeepNoUsageHistorySoTheyLiveOnlyUntilTheirPeriodEnds() {
        InfinispanUsageStore reporting = InfinispanUsageStore.builder(TestGrid.shared().nodes.get(0)).stateCache("expiry-" + UUID.randomUUID())
                .shareKeys(false).usageReportDays(90).build();
        long twelveHours = Duration.ofHours(12).toMillis();
        for (String stateKey : java.util.List.of(UsageStore.clientStateKey("127.0.0.2", "signup"),
                UsageStore.stageStateKey("MyProjectAPI", "test", "/pets/GET"))) {
            reporting.tryConsume(new MeteringRequest(stateKey, null, null, Quota.limit(10).period(QuotaPeriod.DAY).windowAt(clock.instant()),
                    clock.nanos()));
            long lifespan = reporting.stateCache().getAdvancedCache().getCacheEntry(stateKey).getLifespan();
            assertTrue(lifespan > twelveHours - 1_000 && lifespan <= twelveHours,
                    "no 90 report days for " + stateKey + ", only until 00:00 UTC: " + lifespan);
        }
    }
}
