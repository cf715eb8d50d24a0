package io.usageplans.store.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.QuotaWindow;
import io.usageplans.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only the local store does: evicting idle state on demand and counting the keys it holds. The rules every store
 * keeps run against it in {@link LocalUsageStoreContractTest}.
 */
class LocalUsageStoreTest {

    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** Rate 20/s: 40 tokens refilled from empty in 2 s, one token every 50 ms. */
    private static final BucketSpec PLAN_40_IN_2S = new BucketSpec("plan", 40, 2 * SECOND);

    private final MutableClock clock = new MutableClock(Instant.parse("2027-01-15T10:00:00Z"));
    private final LocalUsageStore store = LocalUsageStore.create(clock, Duration.ZERO);

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- helpers ----

    private long nowNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * SECOND + now.getNano();
    }

    private Consumption consume(String key, BucketSpec plan, BucketSpec method, QuotaWindow quota) {
        return store.tryConsume(new MeteringRequest(key, plan, method, quota, nowNanos()));
    }

    private QuotaWindow dailyQuota(long limit) {
        return Quota.limit(limit).period(QuotaPeriod.DAY).windowAt(clock.instant());
    }

    // ---- eviction ----

    @Test
    void evictIdleKeepsStateUntilBucketIsFullAgain() {
        for (int i = 0; i < 40; i++) {
            consume("k", PLAN_40_IN_2S, null, null);
        }
        assertEquals(1, store.size());

        clock.advance(Duration.ofMillis(1999));
        assertEquals(0, store.evictIdle(), "bucket not yet full");
        assertEquals(1, store.size());

        clock.advance(Duration.ofMillis(1));
        assertEquals(1, store.evictIdle(), "bucket full again");
        assertEquals(0, store.size());
    }

    @Test
    void evictIdleKeepsStateUntilQuotaPeriodIsOver() {
        Consumption used = consume("k", PLAN_40_IN_2S, null, dailyQuota(5)); // 2027-01-15T10:00Z
        assertEquals(1, used.quotaUsed());
        assertEquals(1, store.size());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, store.evictIdle(), "bucket full, but the quota period with usage is still running");
        assertEquals(1, store.size());

        clock.advance(Duration.ofHours(14).minusSeconds(1).minusMillis(1)); // 2027-01-15T23:59:59.999Z
        assertEquals(0, store.evictIdle());
        assertEquals(1, store.size());

        clock.advance(Duration.ofMillis(1)); // 2027-01-16T00:00:00Z
        assertEquals(1, store.evictIdle());
        assertEquals(0, store.size());
    }

    @Test
    void evictIdleNeedsBothFullBucketsAndQuotaPeriodOver() {
        clock.advance(Duration.ofHours(13).plusMinutes(59).plusSeconds(59)); // 2027-01-15T23:59:59Z
        QuotaWindow jan15 = dailyQuota(100);
        for (int i = 0; i < 40; i++) {
            assertEquals(Verdict.ALLOWED, consume("k", PLAN_40_IN_2S, null, jan15).verdict());
        }

        clock.advance(Duration.ofSeconds(1)); // midnight: quota period over, bucket full only at 00:00:01
        assertEquals(0, store.evictIdle());
        assertEquals(1, store.size());

        clock.advance(Duration.ofMillis(999));
        assertEquals(0, store.evictIdle());
        assertEquals(1, store.size());

        clock.advance(Duration.ofMillis(1)); // 2027-01-16T00:00:01Z
        assertEquals(1, store.evictIdle());
        assertEquals(0, store.size());
    }

    @Test
    void evictIdleRemovesOnlyIdleKeys() {
        consume("quiet", PLAN_40_IN_2S, null, null);
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 40; i++) {
            consume("busy", PLAN_40_IN_2S, null, null);
        }
        assertEquals(2, store.size());

        assertEquals(1, store.evictIdle());

        assertEquals(1, store.size());
        Consumption busy = consume("busy", PLAN_40_IN_2S, null, null);
        assertEquals(Verdict.PLAN_THROTTLED, busy.verdict(), "the busy key kept its empty bucket");
    }

    @Test
    void evictedKeyUsedAgainStartsFreshWithFullBuckets() {
        BucketSpec method = new BucketSpec("/pets/GET", 3, 3 * SECOND);
        QuotaWindow jan15 = dailyQuota(5);
        for (int i = 0; i < 3; i++) {
            consume("k", PLAN_40_IN_2S, method, jan15);
        }
        clock.advance(Duration.ofHours(14)); // 2027-01-16T00:00:00Z
        assertEquals(1, store.evictIdle());
        assertEquals(0, store.size());

        Consumption fresh = consume("k", PLAN_40_IN_2S, method, dailyQuota(5));

        assertEquals(Verdict.ALLOWED, fresh.verdict());
        assertEquals(39, fresh.planTokens());
        assertEquals(50 * MILLI, fresh.planNanosToFull());
        assertEquals(2, fresh.methodTokens());
        assertEquals(SECOND, fresh.methodNanosToFull());
        assertEquals(1, fresh.quotaUsed());
        assertEquals(1, store.size());
    }

    // ---- concurrency ----

    @Test
    void concurrentDistinctKeysEachGetExactlyTheirQuota() throws Exception {
        int threads = 2;
        int keysPerThread = 5_000;
        int requestsPerKey = 4;
        QuotaWindow quota = dailyQuota(3);
        BucketSpec plan = new BucketSpec("plan", 100, SECOND);
        long now = nowNanos();

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    int[] allowedPerKey = new int[keysPerThread];
                    for (int r = 0; r < requestsPerKey; r++) {
                        for (int k = 0; k < keysPerThread; k++) {
                            MeteringRequest request = new MeteringRequest("t" + thread + "-key" + k, plan, null, quota, now);
                            if (store.tryConsume(request).verdict() == Verdict.ALLOWED) {
                                allowedPerKey[k]++;
                            }
                        }
                    }
                    return allowedPerKey;
                }));
            }
            start.countDown();

            long total = 0;
            for (int t = 0; t < threads; t++) {
                int[] allowedPerKey = futures.get(t).get(60, TimeUnit.SECONDS);
                for (int k = 0; k < keysPerThread; k++) {
                    assertEquals(3, allowedPerKey[k], "allowed for t" + t + "-key" + k);
                    total += allowedPerKey[k];
                }
            }
            assertEquals(30_000, total);
            assertEquals(threads * keysPerThread, store.size());
        } finally {
            pool.shutdownNow();
        }
    }
}
