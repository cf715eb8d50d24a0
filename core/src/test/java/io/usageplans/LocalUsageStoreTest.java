package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import io.usageplans.local.LocalUsageStore;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LocalUsageStore} through the {@link io.usageplans.spi.UsageStore} SPI, on a clock the test moves. */
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
        return Quota.of(limit, QuotaPeriod.DAY).windowAt(clock.instant());
    }

    // ---- token buckets ----

    @Test
    void planBucketAllowsExactlyCapacityThenRejectsWithRetryAfterOneToken() {
        for (int i = 1; i <= 40; i++) {
            Consumption c = consume("k", PLAN_40_IN_2S, null, null);
            assertEquals(Verdict.ALLOWED, c.verdict(), "request " + i);
            assertEquals(40 - i, c.planTokens(), "tokens left after request " + i);
            assertEquals(i * 50 * MILLI, c.planNanosToFull(), "nanos to full after request " + i);
            assertEquals(0, c.nanosToRetry());
        }

        Consumption rejected = consume("k", PLAN_40_IN_2S, null, null);

        assertEquals(Verdict.PLAN_THROTTLED, rejected.verdict());
        assertEquals(0, rejected.planTokens());
        assertEquals(2 * SECOND, rejected.planNanosToFull());
        assertEquals(50 * MILLI, rejected.nanosToRetry());
        assertEquals(0, rejected.methodTokens());
        assertEquals(0, rejected.quotaUsed());
    }

    @Test
    void emptyPlanBucketRefillsTenTokensIn500Millis() {
        for (int i = 0; i < 40; i++) {
            assertEquals(Verdict.ALLOWED, consume("k", PLAN_40_IN_2S, null, null).verdict());
        }
        assertEquals(Verdict.PLAN_THROTTLED, consume("k", PLAN_40_IN_2S, null, null).verdict());

        clock.advance(Duration.ofMillis(500));

        for (int i = 1; i <= 10; i++) {
            Consumption c = consume("k", PLAN_40_IN_2S, null, null);
            assertEquals(Verdict.ALLOWED, c.verdict(), "refilled request " + i);
            assertEquals(10 - i, c.planTokens());
        }
        Consumption eleventh = consume("k", PLAN_40_IN_2S, null, null);
        assertEquals(Verdict.PLAN_THROTTLED, eleventh.verdict());
        assertEquals(50 * MILLI, eleventh.nanosToRetry());
    }

    @Test
    void rejectedByPlanBucketGivesMethodTokenBack() {
        BucketSpec plan = new BucketSpec("plan", 1, SECOND);
        BucketSpec method = new BucketSpec("/pets/GET", 3, 3 * SECOND);

        Consumption first = consume("k", plan, method, null);
        assertEquals(Verdict.ALLOWED, first.verdict());
        assertEquals(0, first.planTokens());
        assertEquals(2, first.methodTokens());

        for (int i = 0; i < 5; i++) {
            Consumption rejected = consume("k", plan, method, null);
            assertEquals(Verdict.PLAN_THROTTLED, rejected.verdict());
            assertEquals(2, rejected.methodTokens(), "method tokens unchanged after plan rejection " + i);
            assertEquals(SECOND, rejected.methodNanosToFull());
            assertEquals(SECOND, rejected.nanosToRetry());
        }

        // the method bucket really still holds 2 tokens: two more calls of the method alone pass, the third does not
        assertEquals(1, consume("k", null, method, null).methodTokens());
        assertEquals(0, consume("k", null, method, null).methodTokens());
        assertEquals(Verdict.METHOD_THROTTLED, consume("k", null, method, null).verdict());
    }

    @Test
    void rejectedByMethodBucketTakesNoPlanToken() {
        BucketSpec plan = new BucketSpec("plan", 5, 5 * SECOND);
        BucketSpec method = new BucketSpec("/pets/GET", 1, SECOND);

        assertEquals(Verdict.ALLOWED, consume("k", plan, method, null).verdict());
        for (int i = 0; i < 3; i++) {
            Consumption rejected = consume("k", plan, method, null);
            assertEquals(Verdict.METHOD_THROTTLED, rejected.verdict());
            assertEquals(4, rejected.planTokens(), "plan tokens unchanged after method rejection " + i);
            assertEquals(0, rejected.methodTokens());
            assertEquals(SECOND, rejected.nanosToRetry());
        }
        // another method on the same plan still has the 4 plan tokens
        Consumption other = consume("k", plan, new BucketSpec("/owners/GET", 10, SECOND), null);
        assertEquals(Verdict.ALLOWED, other.verdict());
        assertEquals(3, other.planTokens());
    }

    // ---- quota ----

    @Test
    void quotaExceededWinsOverEmptyBucket() {
        BucketSpec plan = new BucketSpec("plan", 2, Duration.ofHours(1).toNanos());
        QuotaWindow quota = dailyQuota(2);

        Consumption first = consume("k", plan, null, quota);
        assertEquals(Verdict.ALLOWED, first.verdict());
        assertEquals(1, first.quotaUsed());
        Consumption second = consume("k", plan, null, quota);
        assertEquals(Verdict.ALLOWED, second.verdict());
        assertEquals(2, second.quotaUsed());
        assertEquals(0, second.planTokens());

        Consumption third = consume("k", plan, null, quota);

        assertEquals(Verdict.QUOTA_EXCEEDED, third.verdict(), "the quota is decided before the empty bucket");
        assertEquals(2, third.quotaUsed());
        assertEquals(0, third.planTokens());
        assertEquals(0, third.nanosToRetry());
    }

    @Test
    void quotaExceededConsumesNoToken() {
        BucketSpec plan = new BucketSpec("plan", 10, Duration.ofHours(1).toNanos());
        BucketSpec method = new BucketSpec("/pets/GET", 5, Duration.ofHours(1).toNanos());
        QuotaWindow quota = dailyQuota(2);

        consume("k", plan, method, quota);
        Consumption second = consume("k", plan, method, quota);
        assertEquals(Verdict.ALLOWED, second.verdict());
        assertEquals(8, second.planTokens());
        assertEquals(3, second.methodTokens());

        for (int i = 0; i < 5; i++) {
            Consumption rejected = consume("k", plan, method, quota);
            assertEquals(Verdict.QUOTA_EXCEEDED, rejected.verdict());
            assertEquals(8, rejected.planTokens(), "plan tokens after quota rejection " + i);
            assertEquals(3, rejected.methodTokens(), "method tokens after quota rejection " + i);
            assertEquals(2, rejected.quotaUsed());
        }

        // same instant, next period: the buckets still hold 8 and 3, so the next request leaves 7 and 2
        QuotaWindow next = new QuotaWindow(2, quota.endMillis(), quota.endMillis() + Duration.ofDays(1).toMillis());
        Consumption afterReset = consume("k", plan, method, next);
        assertEquals(Verdict.ALLOWED, afterReset.verdict());
        assertEquals(7, afterReset.planTokens());
        assertEquals(2, afterReset.methodTokens());
        assertEquals(1, afterReset.quotaUsed());
    }

    @Test
    void newQuotaWindowResetsTheCount() {
        QuotaWindow jan15 = dailyQuota(3);
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, consume("k", null, null, jan15).quotaUsed());
        }
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, jan15).verdict());

        clock.advance(Duration.ofHours(13).minusMillis(1)); // 2027-01-15T22:59:59.999Z, still Jan 15
        assertEquals(jan15, dailyQuota(3));
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, dailyQuota(3)).verdict());

        clock.advance(Duration.ofHours(1).plusMillis(1)); // 2027-01-16T00:00:00Z
        QuotaWindow jan16 = dailyQuota(3);
        assertNotEquals(jan15.startMillis(), jan16.startMillis());

        Consumption first = consume("k", null, null, jan16);
        assertEquals(Verdict.ALLOWED, first.verdict());
        assertEquals(1, first.quotaUsed());
        assertEquals(2, consume("k", null, null, jan16).quotaUsed());
        assertEquals(3, consume("k", null, null, jan16).quotaUsed());
        Consumption fourth = consume("k", null, null, jan16);
        assertEquals(Verdict.QUOTA_EXCEEDED, fourth.verdict());
        assertEquals(3, fourth.quotaUsed());
    }

    @Test
    void quotaCountsPerStateKey() {
        QuotaWindow quota = dailyQuota(1);

        assertEquals(Verdict.ALLOWED, consume("a", null, null, quota).verdict());
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("a", null, null, quota).verdict());
        assertEquals(Verdict.ALLOWED, consume("b", null, null, quota).verdict());
    }

    @Test
    void aRequestCarryingTheOldPeriodAfterMidnightCountsInTheNewPeriodAndResetsNothing() {
        QuotaWindow yesterday = Quota.of(2, QuotaPeriod.DAY).windowAt(Instant.parse("2027-01-14T23:59:59.999Z"));
        QuotaWindow today = dailyQuota(2);
        assertEquals(Verdict.ALLOWED, consume("k", null, null, today).verdict());
        assertEquals(Verdict.ALLOWED, consume("k", null, null, today).verdict());
        // a thread that read the clock just before midnight arrives late with yesterday's window
        Consumption late = consume("k", null, null, yesterday);
        assertEquals(Verdict.QUOTA_EXCEEDED, late.verdict());
        assertEquals(2, late.quotaUsed());
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, today).verdict(), "today's count was not reset");
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

    @Test
    void concurrentRequestsForOneKeyAllowExactlyTheQuota() throws Exception {
        int requests = 200;
        QuotaWindow quota = dailyQuota(100);
        BucketSpec plan = new BucketSpec("plan", 1_000, SECOND);
        long now = nowNanos();

        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            CountDownLatch ready = new CountDownLatch(requests);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Consumption>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    return store.tryConsume(new MeteringRequest("one-key", plan, null, quota, now));
                }));
            }
            assertTrue(ready.await(60, TimeUnit.SECONDS), "all tasks started");
            start.countDown();

            int allowed = 0;
            int quotaExceeded = 0;
            boolean[] seenUsed = new boolean[101];
            for (Future<Consumption> future : futures) {
                Consumption c = future.get(60, TimeUnit.SECONDS);
                if (c.verdict() == Verdict.ALLOWED) {
                    allowed++;
                    assertTrue(c.quotaUsed() >= 1 && c.quotaUsed() <= 100, "quotaUsed " + c.quotaUsed());
                    assertTrue(!seenUsed[(int) c.quotaUsed()], "quotaUsed " + c.quotaUsed() + " reported twice");
                    seenUsed[(int) c.quotaUsed()] = true;
                } else {
                    assertEquals(Verdict.QUOTA_EXCEEDED, c.verdict());
                    assertEquals(100, c.quotaUsed());
                    quotaExceeded++;
                }
            }
            assertEquals(100, allowed);
            assertEquals(100, quotaExceeded);

            Consumption after = store.tryConsume(new MeteringRequest("one-key", plan, null, quota, now));
            assertEquals(Verdict.QUOTA_EXCEEDED, after.verdict());
            assertEquals(900, after.planTokens(), "only the allowed requests took a token");
        } finally {
            pool.shutdownNow();
        }
    }
}
