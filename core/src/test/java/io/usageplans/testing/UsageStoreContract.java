package io.usageplans.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStore.Capability;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Every rule a {@link UsageStore} must keep, driven through the SPI on a clock the test moves, in the shape of
 * Bucket4j's {@code AbstractDistributedBucketTest}: every store extends this class and says only how to make itself.
 * Cases of an optional ability ({@link Capability}) run only on a store that declares it; expiry of idle state runs
 * only where the subclass can trigger it ({@link #expireIdleState()}).
 */
public abstract class UsageStoreContract {

    protected static final long MILLI = 1_000_000L;
    protected static final long SECOND = 1_000_000_000L;

    /** Rate 20/s: 40 tokens refilled from empty in 2 s, one token every 50 ms. */
    private static final BucketSpec PLAN_40_IN_2S = new BucketSpec("plan", 40, 2 * SECOND);

    protected final MutableClock clock = new MutableClock(Instant.parse("2027-01-15T10:00:00Z"));
    protected UsageStore store;

    /** A new, empty store that reads time from {@code clock} where it reads time at all. */
    protected abstract UsageStore newStore(Clock clock);

    /**
     * Drops the state the store considers idle now (by {@link #clock}) and returns how many keys' state went; aborts
     * the case where the store expires state some other way (a TTL in real time) that a test cannot trigger.
     */
    protected int expireIdleState() {
        throw new TestAbortedException(getClass().getSimpleName() + " cannot expire idle state on demand");
    }

    @BeforeEach
    void openStore() {
        store = newStore(clock);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- helpers ----

    private long nowNanos() {
        return clock.nanos();
    }

    private Consumption consume(String key, BucketSpec plan, BucketSpec method, QuotaWindow quota) {
        return store.tryConsume(new MeteringRequest(key, plan, method, quota, nowNanos()));
    }

    private QuotaWindow dailyQuota(long limit) {
        return Quota.limit(limit).period(QuotaPeriod.DAY).windowAt(clock.instant());
    }

    private long today() {
        return LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC).toEpochDay();
    }

    private void assumeCapable(Capability capability) {
        assumeTrue(store.can(capability), () -> store.getClass().getSimpleName() + " does not declare " + capability);
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

    // ---- all or nothing ----

    @Test
    void anAllowedRequestTakesFromPlanBucketMethodBucketAndQuotaTogether() {
        BucketSpec plan = new BucketSpec("plan", 10, 10 * SECOND);
        BucketSpec method = new BucketSpec("/pets/GET", 5, 5 * SECOND);

        Consumption first = consume("k", plan, method, dailyQuota(100));
        Consumption second = store.tryConsume(new MeteringRequest("k", plan, method, dailyQuota(100), nowNanos(), 3));

        assertEquals(Verdict.ALLOWED, first.verdict());
        assertEquals(9, first.planTokens());
        assertEquals(4, first.methodTokens());
        assertEquals(1, first.quotaUsed());
        assertEquals(Verdict.ALLOWED, second.verdict());
        assertEquals(6, second.planTokens(), "a request of cost 3 takes 3 tokens");
        assertEquals(1, second.methodTokens());
        assertEquals(4, second.quotaUsed());
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

    @Test
    void aThrottledRequestCountsNothingTowardTheQuota() {
        BucketSpec plan = new BucketSpec("plan", 2, Duration.ofHours(1).toNanos());
        BucketSpec method = new BucketSpec("/pets/GET", 1, Duration.ofHours(1).toNanos());
        QuotaWindow quota = dailyQuota(10);

        assertEquals(1, consume("k", plan, method, quota).quotaUsed());
        Consumption methodRefused = consume("k", plan, method, quota);
        Consumption other = consume("k", plan, null, quota);
        Consumption planRefused = consume("k", plan, null, quota);

        assertEquals(Verdict.METHOD_THROTTLED, methodRefused.verdict());
        assertEquals(1, methodRefused.quotaUsed());
        assertEquals(Verdict.ALLOWED, other.verdict());
        assertEquals(2, other.quotaUsed());
        assertEquals(Verdict.PLAN_THROTTLED, planRefused.verdict());
        assertEquals(2, planRefused.quotaUsed(), "refused requests were not counted");
    }

    @Test
    void aRequestCostingMoreThanTheTokensLeftTakesNone() {
        BucketSpec plan = new BucketSpec("plan", 5, 5 * SECOND);
        QuotaWindow quota = dailyQuota(100);

        assertEquals(Verdict.ALLOWED, store.tryConsume(new MeteringRequest("k", plan, null, quota, nowNanos(), 3)).verdict());
        Consumption tooDear = store.tryConsume(new MeteringRequest("k", plan, null, quota, nowNanos(), 3));

        assertEquals(Verdict.PLAN_THROTTLED, tooDear.verdict());
        assertEquals(2, tooDear.planTokens());
        assertEquals(3, tooDear.quotaUsed());
        assertEquals(SECOND, tooDear.nanosToRetry(), "one more token comes in 1 s");
        assertEquals(Verdict.ALLOWED, store.tryConsume(new MeteringRequest("k", plan, null, quota, nowNanos(), 2)).verdict());
    }

    // ---- which limit wins ----

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
    void methodThrottleIsReportedBeforePlanThrottleWhenBothBucketsAreEmpty() {
        BucketSpec plan = new BucketSpec("plan", 1, Duration.ofHours(1).toNanos());
        BucketSpec method = new BucketSpec("/pets/GET", 1, 2 * SECOND);

        assertEquals(Verdict.ALLOWED, consume("k", plan, method, null).verdict());
        Consumption both = consume("k", plan, method, null);

        assertEquals(Verdict.METHOD_THROTTLED, both.verdict());
        assertEquals(2 * SECOND, both.nanosToRetry(), "the retry time is the method bucket's");
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

    // ---- refunds ----

    @Test
    void refundGivesBackOnlyTheLimitsItNamesOncePerCall() {
        BucketSpec plan = new BucketSpec("plan", 10, Duration.ofHours(1).toNanos());
        BucketSpec method = new BucketSpec("/pets/GET", 5, Duration.ofHours(1).toNanos());
        QuotaWindow quota = dailyQuota(100);
        MeteringRequest request = new MeteringRequest("k", plan, method, quota, nowNanos(), 2);
        consume("k", plan, method, quota);
        assertEquals(Verdict.ALLOWED, store.tryConsume(request).verdict()); // 7 plan, 2 method, 3 quota

        store.refund(request, false, false, true);
        Consumption afterQuota = consume("k", plan, method, quota); // 6, 1, 2
        store.refund(request, true, false, false);
        Consumption afterPlan = consume("k", plan, method, quota); // 7, 0, 3
        store.refund(request, false, true, false);
        store.refund(request, false, true, false);
        Consumption afterMethodTwice = consume("k", plan, method, quota); // 6, 3, 4

        assertEquals(List.of(6L, 1L, 2L), List.of(afterQuota.planTokens(), afterQuota.methodTokens(), afterQuota.quotaUsed()));
        assertEquals(List.of(7L, 0L, 3L), List.of(afterPlan.planTokens(), afterPlan.methodTokens(), afterPlan.quotaUsed()));
        assertEquals(List.of(6L, 3L, 4L),
                List.of(afterMethodTwice.planTokens(), afterMethodTwice.methodTokens(), afterMethodTwice.quotaUsed()),
                "each refund gave back the request's cost once");
    }

    @Test
    void refundNeverFillsABucketBeyondItsCapacity() {
        BucketSpec plan = new BucketSpec("plan", 3, 3 * SECOND);
        MeteringRequest request = new MeteringRequest("k", plan, null, null, nowNanos());
        store.tryConsume(request);

        store.refund(request, true, false, false);
        store.refund(request, true, false, false);

        for (int i = 2; i >= 0; i--) {
            Consumption c = consume("k", plan, null, null);
            assertEquals(Verdict.ALLOWED, c.verdict());
            assertEquals(i, c.planTokens());
        }
        assertEquals(Verdict.PLAN_THROTTLED, consume("k", plan, null, null).verdict());
    }

    @Test
    void refundOfAnEarlierQuotaPeriodLeavesTheNewPeriodsCount() {
        QuotaWindow jan15 = dailyQuota(5);
        MeteringRequest yesterdays = new MeteringRequest("k", null, null, jan15, nowNanos());
        store.tryConsume(yesterdays);
        clock.set(Instant.parse("2027-01-16T08:00:00Z"));
        consume("k", null, null, dailyQuota(5));
        consume("k", null, null, dailyQuota(5));

        store.refund(yesterdays, true, true, true);

        assertEquals(3, consume("k", null, null, dailyQuota(5)).quotaUsed(), "the new day's two stayed counted");
    }

    @Test
    void refundOfAKeyWithNoStateDoesNothing() {
        store.refund(new MeteringRequest("never-seen", PLAN_40_IN_2S, null, dailyQuota(5), nowNanos()), true, true, true);

        Consumption first = consume("never-seen", PLAN_40_IN_2S, null, dailyQuota(5));
        assertEquals(39, first.planTokens());
        assertEquals(1, first.quotaUsed());
    }

    // ---- calendar periods ----

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
        QuotaWindow yesterday = Quota.limit(2).period(QuotaPeriod.DAY).windowAt(Instant.parse("2027-01-14T23:59:59.999Z"));
        QuotaWindow today = dailyQuota(2);
        assertEquals(Verdict.ALLOWED, consume("k", null, null, today).verdict());
        assertEquals(Verdict.ALLOWED, consume("k", null, null, today).verdict());
        // a thread that read the clock just before midnight arrives late with yesterday's window
        Consumption late = consume("k", null, null, yesterday);
        assertEquals(Verdict.QUOTA_EXCEEDED, late.verdict());
        assertEquals(2, late.quotaUsed());
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, today).verdict(), "today's count was not reset");
    }

    // ---- quota reads and updates (optional) ----

    @Test
    void quotaUsedReadsTheCounterOfTheCurrentPeriodOnly() {
        assumeCapable(Capability.QUOTA_READ);
        QuotaWindow jan15 = dailyQuota(10);
        assertEquals(0, store.quotaUsed("k", jan15), "a key without state has used nothing");
        consume("k", null, null, jan15);
        consume("k", null, null, jan15);

        assertEquals(2, store.quotaUsed("k", jan15));
        clock.set(Instant.parse("2027-01-16T00:00:00Z"));
        assertEquals(0, store.quotaUsed("k", dailyQuota(10)), "a new period has used nothing yet");
    }

    @Test
    void updateQuotaSetsAndExtendsTheCounterThatDecisionsThenUse() {
        assumeCapable(Capability.QUOTA_UPDATE);
        QuotaWindow quota = dailyQuota(3);
        consume("k", null, null, quota);

        assertEquals(3, store.updateQuota("k", quota, QuotaUpdate.setUsed(3), nowNanos()));
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, quota).verdict());
        assertEquals(1, store.updateQuota("k", quota, QuotaUpdate.addUsed(-2), nowNanos()));
        assertEquals(Verdict.ALLOWED, consume("k", null, null, quota).verdict());
        assertEquals(-2, store.updateQuota("k", quota, QuotaUpdate.setUsed(-2), nowNanos()), "an extension");

        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            if (consume("k", null, null, quota).verdict() == Verdict.ALLOWED) {
                allowed++;
            }
        }
        assertEquals(5, allowed, "limit 3 plus an extension of 2");
    }

    @Test
    void updateQuotaOfAKeyWithoutStateStartsItsCounter() {
        assumeCapable(Capability.QUOTA_UPDATE);
        QuotaWindow quota = dailyQuota(3);

        assertEquals(2, store.updateQuota("fresh", quota, QuotaUpdate.addUsed(2), nowNanos()));

        assertEquals(3, consume("fresh", null, null, quota).quotaUsed());
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("fresh", null, null, quota).verdict());
    }

    @Test
    void updateQuotaOfAnEarlierPeriodLeavesTheCurrentCount() {
        assumeCapable(Capability.QUOTA_UPDATE);
        QuotaWindow jan15 = dailyQuota(5);
        clock.set(Instant.parse("2027-01-16T08:00:00Z"));
        consume("k", null, null, dailyQuota(5));

        store.updateQuota("k", jan15, QuotaUpdate.setUsed(0), nowNanos());

        assertEquals(2, consume("k", null, null, dailyQuota(5)).quotaUsed());
    }

    // ---- usage history (optional) ----

    @Test
    void dailyUsageRecordsUnitsAndQuotaCounterPerUtcDay() {
        assumeCapable(Capability.USAGE_HISTORY);
        long jan15 = today();
        consume("k", null, null, dailyQuota(10));
        store.tryConsume(new MeteringRequest("k", null, null, dailyQuota(10), nowNanos(), 3));
        clock.set(Instant.parse("2027-01-16T00:00:01Z"));
        consume("k", PLAN_40_IN_2S, null, dailyQuota(10));
        consume("other", null, null, dailyQuota(10));

        assertEquals(List.of(new DailyUsage(jan15, 4, 4), new DailyUsage(jan15 + 1, 1, 1)), store.dailyUsage("k", jan15 - 5, jan15 + 5));
        assertEquals(List.of(new DailyUsage(jan15 + 1, 1, 1)), store.dailyUsage("k", jan15 + 1, jan15 + 1), "only days asked for");
        assertEquals(List.of(), store.dailyUsage("never-seen", jan15 - 5, jan15 + 5));
    }

    @Test
    void dailyUsageCountsRequestsWithoutQuotaWithQuotaCounterZero() {
        assumeCapable(Capability.USAGE_HISTORY);
        consume("k", PLAN_40_IN_2S, null, null);
        consume("k", PLAN_40_IN_2S, null, null);

        assertEquals(List.of(new DailyUsage(today(), 2, 0)), store.dailyUsage("k", today(), today()));
    }

    @Test
    void dailyUsageLosesARefundedQuotaUnitButNoRejectedRequest() {
        assumeCapable(Capability.USAGE_HISTORY);
        QuotaWindow quota = dailyQuota(2);
        MeteringRequest request = new MeteringRequest("k", null, null, quota, nowNanos());
        store.tryConsume(request);
        consume("k", null, null, quota);
        consume("k", null, null, quota); // rejected: counts nowhere

        store.refund(request, false, false, true);

        assertEquals(List.of(new DailyUsage(today(), 1, 1)), store.dailyUsage("k", today(), today()));
    }

    @Test
    void updateQuotaIsNotedInTodaysUsage() {
        assumeCapable(Capability.USAGE_HISTORY);
        assumeCapable(Capability.QUOTA_UPDATE);
        consume("k", null, null, dailyQuota(10));

        store.updateQuota("k", dailyQuota(10), QuotaUpdate.setUsed(7), nowNanos());

        assertEquals(List.of(new DailyUsage(today(), 1, 7)), store.dailyUsage("k", today(), today()));
    }

    // ---- expiry of idle state (where the test can trigger it) ----

    @Test
    void idleStateExpiresOnlyOnceBucketsAreFullAndTheQuotaPeriodIsOver() {
        clock.set(Instant.parse("2027-01-15T23:59:59Z"));
        for (int i = 0; i < 40; i++) {
            assertEquals(Verdict.ALLOWED, consume("k", PLAN_40_IN_2S, null, dailyQuota(100)).verdict());
        }

        clock.advance(Duration.ofSeconds(1)); // midnight: the period is over, the bucket is full only at 00:00:01
        assertEquals(0, expireIdleState());
        Consumption kept = store.tryConsume(new MeteringRequest("k", PLAN_40_IN_2S, null, null, nowNanos(), 21));
        assertEquals(Verdict.PLAN_THROTTLED, kept.verdict(), "the half-full bucket was kept");
        assertEquals(20, kept.planTokens());

        clock.advance(Duration.ofSeconds(3));
        assertEquals(1, expireIdleState());
    }

    @Test
    void aKeyUsedAgainAfterItsStateExpiredStartsFreshWithFullBuckets() {
        BucketSpec method = new BucketSpec("/pets/GET", 3, 3 * SECOND);
        for (int i = 0; i < 3; i++) {
            consume("k", PLAN_40_IN_2S, method, dailyQuota(5));
        }
        clock.advance(Duration.ofHours(14)); // 2027-01-16T00:00:00Z
        assertEquals(1, expireIdleState());

        Consumption fresh = consume("k", PLAN_40_IN_2S, method, dailyQuota(5));

        assertEquals(Verdict.ALLOWED, fresh.verdict());
        assertEquals(39, fresh.planTokens());
        assertEquals(50 * MILLI, fresh.planNanosToFull());
        assertEquals(2, fresh.methodTokens());
        assertEquals(SECOND, fresh.methodNanosToFull());
        assertEquals(1, fresh.quotaUsed());
    }

    @Test
    void usageHistoryOutlivesTheExpiryOfIdleState() {
        assumeCapable(Capability.USAGE_HISTORY);
        long jan15 = today();
        consume("k", PLAN_40_IN_2S, null, dailyQuota(5));
        clock.advance(Duration.ofHours(14));
        assertEquals(1, expireIdleState());

        assertEquals(List.of(new DailyUsage(jan15, 1, 1)), store.dailyUsage("k", jan15, jan15 + 1));
    }

    // ---- concurrency ----

    @Test
    void concurrentRequestsForOneKeyAllowExactlyTheQuota() throws Exception {
        int threads = 8;
        int requestsPerThread = 25;
        QuotaWindow quota = dailyQuota(100);
        BucketSpec plan = new BucketSpec("plan", 1_000, SECOND);
        long now = nowNanos();

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Consumption>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    List<Consumption> results = new ArrayList<>();
                    for (int i = 0; i < requestsPerThread; i++) {
                        results.add(store.tryConsume(new MeteringRequest("one-key", plan, null, quota, now)));
                    }
                    return results;
                }));
            }
            assertTrue(ready.await(60, TimeUnit.SECONDS), "all tasks started");
            start.countDown();

            int allowed = 0;
            int quotaExceeded = 0;
            boolean[] seenUsed = new boolean[101];
            for (Future<List<Consumption>> future : futures) {
                for (Consumption c : future.get(60, TimeUnit.SECONDS)) {
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

    @Test
    void concurrentDistinctKeysEachGetExactlyTheirQuota() throws Exception {
        int threads = 4;
        int keysPerThread = 25;
        int requestsPerKey = 4;
        QuotaWindow quota = dailyQuota(3);
        BucketSpec plan = new BucketSpec("plan", 100, SECOND);
        long now = nowNanos();

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    int[] allowedPerKey = new int[keysPerThread];
                    for (int r = 0; r < requestsPerKey; r++) {
                        for (int k = 0; k < keysPerThread; k++) {
                            // every thread hits every key: the threads race on each key
                            if (store.tryConsume(new MeteringRequest("key" + k, plan, null, quota, now)).verdict() == Verdict.ALLOWED) {
                                allowedPerKey[k]++;
                            }
                        }
                    }
                    return allowedPerKey;
                }));
            }
            start.countDown();

            int[] allowedPerKey = new int[keysPerThread];
            for (Future<int[]> future : futures) {
                int[] counts = future.get(60, TimeUnit.SECONDS);
                for (int k = 0; k < keysPerThread; k++) {
                    allowedPerKey[k] += counts[k];
                }
            }
            for (int k = 0; k < keysPerThread; k++) {
                assertEquals(3, allowedPerKey[k], "allowed for key" + k);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- allowances (lease mode) ----

    /** 1,000 tokens, one a second: big enough to share. */
    private static final BucketSpec PLAN_1000_IN_1000S = new BucketSpec("plan", 1000, 1000 * SECOND);

    private AllowanceGrant settle(String key, BucketSpec plan, QuotaWindow quota, long spent, long returned, long wanted) {
        return store.settle(List.of(new AllowanceChange(key, plan, quota, nowNanos(), spent, returned, wanted, 10 * SECOND))).get(0);
    }

    @Test
    void aGrantTakesTokensAndQuotaUnitsAtOnce() {
        assumeCapable(Capability.LEASES);

        AllowanceGrant grant = settle("k", PLAN_1000_IN_1000S, dailyQuota(100_000), 0, 0, 50);

        assertEquals(50, grant.granted());
        assertEquals(950, grant.planTokens());
        assertEquals(50, grant.quotaUsed());
        Consumption next = consume("k", PLAN_1000_IN_1000S, null, dailyQuota(100_000));
        assertEquals(949, next.planTokens(), "the store decides on what is left after the grant");
        assertEquals(51, next.quotaUsed());
    }

    @Test
    void aGrantIsAtMostAnEighthOfWhatIsLeft() {
        assumeCapable(Capability.LEASES);

        assertEquals(125, settle("k", PLAN_1000_IN_1000S, null, 0, 0, 10_000).granted());
        assertEquals(109, settle("k", PLAN_1000_IN_1000S, null, 0, 0, 10_000).granted(), "an eighth of 875");
        assertEquals(1250, settle("q", null, dailyQuota(10_000), 0, 0, 10_000).granted());
    }

    @Test
    void nothingIsGrantedNearALimit() {
        assumeCapable(Capability.LEASES);

        assertEquals(0, settle("small-burst", PLAN_40_IN_2S, null, 0, 0, 16).granted(), "40 tokens are too few to share");
        assertEquals(0, settle("small-quota", null, dailyQuota(100), 0, 0, 16).granted(), "100 units are too few to share");
        for (int i = 0; i < 745; i++) {
            assertEquals(Verdict.ALLOWED, consume("k", PLAN_1000_IN_1000S, null, null).verdict());
        }
        assertEquals(0, settle("k", PLAN_1000_IN_1000S, null, 0, 0, 16).granted(), "255 tokens left: below 256");
    }

    @Test
    void returnedUnitsGoBackToBucketQuotaAndHistory() {
        assumeCapable(Capability.LEASES);
        QuotaWindow quota = dailyQuota(100_000);
        settle("k", PLAN_1000_IN_1000S, quota, 0, 0, 100);

        AllowanceGrant settled = settle("k", PLAN_1000_IN_1000S, quota, 30, 70, 0);

        assertEquals(0, settled.granted());
        assertEquals(970, settled.planTokens());
        assertEquals(30, settled.quotaUsed());
        if (store.can(Capability.QUOTA_READ)) {
            assertEquals(30, store.quotaUsed("k", quota));
        }
        if (store.can(Capability.USAGE_HISTORY)) {
            assertEquals(List.of(new DailyUsage(today(), 30, 30)), store.dailyUsage("k", today(), today()));
        }
    }

    @Test
    void theBucketRefillsOnlyUpToItsCapacityLessOutstandingUnits() {
        assumeCapable(Capability.LEASES);
        settle("k", PLAN_1000_IN_1000S, null, 0, 0, 100);

        clock.advance(Duration.ofSeconds(5)); // would refill to 905 tokens: the bucket may hold 900 at most

        int allowed = 0;
        while (consume("k", PLAN_1000_IN_1000S, null, null).verdict() == Verdict.ALLOWED && allowed < 2000) {
            allowed++;
        }
        assertEquals(900, allowed, "tokens in the bucket plus the 100 outstanding never exceed the burst of 1000");

        settle("k", PLAN_1000_IN_1000S, null, 40, 60, 0);
        int afterSettle = 0;
        while (consume("k", PLAN_1000_IN_1000S, null, null).verdict() == Verdict.ALLOWED && afterSettle < 2000) {
            afterSettle++;
        }
        assertEquals(60, afterSettle, "the 60 returned tokens, and no refill beyond the burst for the 40 spent");
    }

    @Test
    void outstandingUnitsLapseAfterTheirHoldTime() {
        assumeCapable(Capability.LEASES);
        settle("k", PLAN_1000_IN_1000S, null, 0, 0, 100); // held for 10 s; the member is never heard of again

        clock.advance(Duration.ofSeconds(11));

        int allowed = 0;
        while (consume("k", PLAN_1000_IN_1000S, null, null).verdict() == Verdict.ALLOWED && allowed < 2000) {
            allowed++;
        }
        assertEquals(911, allowed, "900 left plus 11 refilled; the lapsed 100 no longer cap the refill");
    }

    @Test
    void settlingManyKeysAnswersEachInOrder() {
        assumeCapable(Capability.LEASES);
        List<AllowanceChange> changes = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            changes.add(new AllowanceChange("key" + i, PLAN_1000_IN_1000S, null, nowNanos(), 0, 0, i + 1, 10 * SECOND));
        }

        List<AllowanceGrant> grants = store.settle(changes);

        assertEquals(20, grants.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(i + 1, grants.get(i).granted(), "key" + i);
            assertEquals(1000 - (i + 1), grants.get(i).planTokens(), "key" + i);
        }
    }

    @Test
    void returnedUnitsOfAnEarlierQuotaPeriodLeaveTheNewPeriodsCount() {
        assumeCapable(Capability.LEASES);
        QuotaWindow yesterday = dailyQuota(100_000);
        settle("k", null, yesterday, 0, 0, 100);
        clock.advance(Duration.ofDays(1));
        QuotaWindow today = dailyQuota(100_000);
        consume("k", null, null, today);

        AllowanceGrant late = settle("k", null, yesterday, 0, 100, 0);

        assertEquals(0, late.granted());
        if (store.can(Capability.QUOTA_READ)) {
            assertEquals(1, store.quotaUsed("k", today));
        }
    }

    // ---- plan changes while running: state carries over ----

    private int allowedUntilRefused(String key, BucketSpec plan, BucketSpec method, QuotaWindow quota, int most) {
        int allowed = 0;
        while (allowed < most && consume(key, plan, method, quota).verdict() == Verdict.ALLOWED) {
            allowed++;
        }
        return allowed;
    }

    @Test
    void loweredBurstCapsTheCurrentTokens() {
        for (int i = 0; i < 10; i++) {
            consume("k", PLAN_40_IN_2S, null, null);
        }
        BucketSpec burst20 = new BucketSpec("plan", 20, SECOND); // same rate, 20/s

        Consumption next = consume("k", burst20, null, null);

        assertEquals(Verdict.ALLOWED, next.verdict());
        assertEquals(19, next.planTokens(), "30 tokens left, capped at the new burst of 20, less this request");
        assertEquals(50 * MILLI, next.planNanosToFull(), "one token short of the new burst, at 20/s");
        assertEquals(19, allowedUntilRefused("k", burst20, null, null, 100));
    }

    @Test
    void loweredBurstBelowTheTokensLeftStaysEmptyWhenTheBucketWasEmpty() {
        for (int i = 0; i < 40; i++) {
            consume("k", PLAN_40_IN_2S, null, null);
        }

        Consumption next = consume("k", new BucketSpec("plan", 5, 250 * MILLI), null, null);

        assertEquals(Verdict.PLAN_THROTTLED, next.verdict(), "a lower burst gives no tokens back");
        assertEquals(50 * MILLI, next.nanosToRetry());
    }

    @Test
    void raisedBurstAddsTheDifferenceAtOnce() {
        BucketSpec burst5 = new BucketSpec("plan", 5, SECOND); // 5/s
        assertEquals(5, allowedUntilRefused("k", burst5, null, null, 100));
        BucketSpec burst50 = new BucketSpec("plan", 50, 10 * SECOND); // still 5/s

        Consumption next = consume("k", burst50, null, null);

        assertEquals(Verdict.ALLOWED, next.verdict(), "the 45 tokens the burst grew by are there at once");
        assertEquals(44, next.planTokens());
        assertEquals(44, allowedUntilRefused("k", burst50, null, null, 100), "45 in all, no more");
    }

    @Test
    void raisedBurstIsCappedAtTheNewBurst() {
        consume("k", PLAN_40_IN_2S, null, null); // 39 left

        Consumption next = consume("k", new BucketSpec("plan", 45, 2 * SECOND), null, null);

        assertEquals(43, next.planTokens(), "39 plus the 5 the burst grew by, less this request");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(45, allowedUntilRefused("k", new BucketSpec("plan", 45, 2 * SECOND), null, null, 100),
                "a full bucket of the new shape holds the new burst");
    }

    @Test
    void changedRateCountsTokensRefilledSoFarAtTheOldRateAndTheNewRateFromThen() {
        assertEquals(40, allowedUntilRefused("k", PLAN_40_IN_2S, null, null, 100));
        clock.advance(Duration.ofMillis(500)); // 10 tokens at the old 20/s
        BucketSpec onePerSecond = new BucketSpec("plan", 40, 40 * SECOND);

        assertEquals(10, allowedUntilRefused("k", onePerSecond, null, null, 100), "what refilled before the change");
        clock.advance(Duration.ofMillis(1500));
        assertEquals(1, allowedUntilRefused("k", onePerSecond, null, null, 100), "1.5 s at the new 1/s: one whole token");
        Consumption refused = consume("k", onePerSecond, null, null);
        assertEquals(Verdict.PLAN_THROTTLED, refused.verdict());
        assertEquals(500 * MILLI, refused.nanosToRetry(), "the half token refilled counts toward the next one");
    }

    @Test
    void changedMethodThrottleCarriesItsTokensOverLikeThePlanThrottle() {
        BucketSpec method3 = new BucketSpec("/pets/{petId}/GET", 3, 3 * SECOND);
        assertEquals(3, allowedUntilRefused("k", PLAN_40_IN_2S, method3, null, 100));
        BucketSpec method10 = new BucketSpec("/pets/{petId}/GET", 10, 10 * SECOND);
        assertEquals(7, allowedUntilRefused("k", PLAN_40_IN_2S, method10, null, 100), "raised 3 -> 10: 7 more at once");

        clock.advance(Duration.ofSeconds(4)); // 4 tokens at 1/s
        BucketSpec method2 = new BucketSpec("/pets/{petId}/GET", 2, 2 * SECOND);
        Consumption capped = consume("k", PLAN_40_IN_2S, method2, null);
        assertEquals(Verdict.ALLOWED, capped.verdict());
        assertEquals(1, capped.methodTokens(), "4 tokens capped at the new burst of 2, less this request");
        assertEquals(Verdict.ALLOWED, consume("k", PLAN_40_IN_2S, method2, null).verdict());
        assertEquals(Verdict.METHOD_THROTTLED, consume("k", PLAN_40_IN_2S, method2, null).verdict());
    }

    @Test
    void raisedQuotaLimitAppliesToTheCurrentPeriodsCounter() {
        assertEquals(10, allowedUntilRefused("k", null, null, dailyQuota(10), 100));
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, dailyQuota(10)).verdict());

        Consumption eleventh = consume("k", null, null, dailyQuota(20));

        assertEquals(Verdict.ALLOWED, eleventh.verdict());
        assertEquals(11, eleventh.quotaUsed(), "the period's counter goes on");
        assertEquals(9, allowedUntilRefused("k", null, null, dailyQuota(20), 100), "20 in all this period");
        if (store.can(Capability.QUOTA_READ)) {
            assertEquals(20, store.quotaUsed("k", dailyQuota(20)));
        }
    }

    @Test
    void loweredQuotaLimitBelowUsageRefusesTheNextRequest() {
        assertEquals(8, allowedUntilRefused("k", null, null, dailyQuota(10), 8));

        Consumption next = consume("k", PLAN_40_IN_2S, null, dailyQuota(5));

        assertEquals(Verdict.QUOTA_EXCEEDED, next.verdict());
        assertEquals(8, next.quotaUsed(), "what was used stays used");
        assertEquals(40, consume("k", PLAN_40_IN_2S, null, null).planTokens() + 1, "the refused request took no token");
        clock.set(Instant.parse("2027-01-16T00:00:00Z"));
        assertEquals(5, allowedUntilRefused("k", null, null, dailyQuota(5), 100), "the next period counts to the new limit");
    }

    @Test
    void changedQuotaPeriodStartsANewWindow() {
        assertEquals(3, allowedUntilRefused("k", null, null, dailyQuota(3), 100));
        QuotaWindow month = Quota.limit(3).period(QuotaPeriod.MONTH).windowAt(clock.instant()); // from Jan 1, before today

        Consumption first = consume("k", null, null, month);

        assertEquals(Verdict.ALLOWED, first.verdict(), "DAY -> MONTH: a new window, counted from 0");
        assertEquals(1, first.quotaUsed());
        assertEquals(2, allowedUntilRefused("k", null, null, month, 100));
        if (store.can(Capability.QUOTA_READ)) {
            assertEquals(3, store.quotaUsed("k", month));
            assertEquals(0, store.quotaUsed("k", dailyQuota(3)), "the day's counter is gone with its window");
        }
        if (store.can(Capability.USAGE_HISTORY)) {
            assertEquals(List.of(new DailyUsage(today(), 6, 3)), store.dailyUsage("k", today(), today()),
                    "6 units served today; the counter of the window in force");
        }
    }

    @Test
    void changedQuotaOffsetToAWindowThatStartedEarlierStartsANewWindow() {
        // 2027-01-15 is a Friday: offset 5 counts from this Friday, offset 0 from last Sunday
        QuotaWindow fromFriday = Quota.limit(2).period(QuotaPeriod.WEEK).withOffset(5).windowAt(clock.instant());
        QuotaWindow fromSunday = Quota.limit(2).period(QuotaPeriod.WEEK).withOffset(0).windowAt(clock.instant());
        assertTrue(fromSunday.startMillis() < fromFriday.startMillis());
        assertEquals(2, allowedUntilRefused("k", null, null, fromFriday, 100));

        assertEquals(2, allowedUntilRefused("k", null, null, fromSunday, 100), "a new window of 2");
        assertEquals(Verdict.QUOTA_EXCEEDED, consume("k", null, null, fromSunday).verdict());
    }

    @Test
    void aSettlementUnderAnEarlierThrottleGivesItsUnitsBackAndIsGrantedNothing() {
        assumeCapable(Capability.LEASES);
        settle("k", PLAN_1000_IN_1000S, null, 0, 0, 100); // 900 left, 100 out
        BucketSpec burst500 = new BucketSpec("plan", 500, 500 * SECOND); // still 1/s
        Consumption first = consume("k", burst500, null, null);
        assertEquals(399, first.planTokens(), "900 capped at 500 less the 100 out, less this request");

        AllowanceGrant late = settle("k", PLAN_1000_IN_1000S, null, 0, 100, 1000);

        assertEquals(0, late.granted(), "nothing is granted under a throttle the plan no longer has");
        assertEquals(499, late.planTokens(), "the 100 came back, within the new burst");
        assertEquals(499, allowedUntilRefused("k", burst500, null, null, 2000), "the old burst of 1000 did not come back");
    }

    @Test
    void aSettlementCarryingAnEarlierQuotaPeriodLeavesTheChangedPeriodsCounter() {
        assumeCapable(Capability.LEASES);
        QuotaWindow day = dailyQuota(100_000);
        settle("k", null, day, 0, 0, 100);
        QuotaWindow month = Quota.limit(100_000).period(QuotaPeriod.MONTH).windowAt(clock.instant());
        assertEquals(1, consume("k", null, null, month).quotaUsed());

        AllowanceGrant late = settle("k", null, day, 0, 100, 100);

        assertEquals(0, late.granted());
        assertEquals(2, consume("k", null, null, month).quotaUsed(), "the month's counter was neither reset nor lowered");
    }

    /**
     * Three members in lease mode share this store; a busy key holds allowances when its plan's burst and quota limit
     * are lowered. From the change on, all members together admit no more than exact mode would under the new limits.
     */
    @Test
    void leaseModeMembersAdmitNoMoreThanExactModeOnceLimitsAreLowered() {
        assumeCapable(Capability.LEASES);
        List<io.usageplans.store.lease.LeasingUsageStore> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new io.usageplans.store.lease.LeasingUsageStore(store, clock, Duration.ofMillis(100), false));
        }
        BucketSpec before = new BucketSpec("plan", 100_000, 100 * SECOND); // 1,000/s
        long admittedBefore = 0;
        for (int round = 0; round < 3; round++) {
            for (var member : members) {
                for (int i = 0; i < 10; i++) {
                    if (member.tryConsume(new MeteringRequest("hot", before, null, dailyQuota(1_000_000), nowNanos()))
                            .verdict() == Verdict.ALLOWED) {
                        admittedBefore++;
                    }
                }
            }
            clock.advance(Duration.ofMillis(10));
            members.forEach(io.usageplans.store.lease.LeasingUsageStore::syncNow);
        }
        long held = members.stream().mapToLong(m -> m.totals().held()).sum();
        assertTrue(held > 0, "the members hold allowances when the plan changes");
        assertEquals(90, admittedBefore);

        BucketSpec after = new BucketSpec("plan", 300, 300 * MILLI); // burst 300, still 1,000/s
        long quotaLeft = 400;
        long elapsedMillis = 0;
        long admittedAfter = 0;
        for (int round = 0; round < 14; round++) { // four rounds at one instant, then 25 ms between rounds
            for (var member : members) {
                for (int i = 0; i < 150; i++) {
                    if (member.tryConsume(new MeteringRequest("hot", after, null, dailyQuota(admittedBefore + quotaLeft),
                            nowNanos())).verdict() == Verdict.ALLOWED) {
                        admittedAfter++;
                    }
                }
                member.syncNow();
            }
            long exactMost = Math.min(300 + elapsedMillis, quotaLeft); // the new burst, what refilled since, the quota
            assertTrue(admittedAfter <= exactMost, "round " + round + ": " + admittedAfter + " admitted since the change, "
                    + "exact mode admits at most " + exactMost);
            if (round >= 3) {
                clock.advance(Duration.ofMillis(25));
                elapsedMillis += 25;
            }
        }
        members.forEach(io.usageplans.store.lease.LeasingUsageStore::syncNow);
        assertEquals(quotaLeft, admittedAfter, "in the end the new quota limit, exactly");
    }
}
