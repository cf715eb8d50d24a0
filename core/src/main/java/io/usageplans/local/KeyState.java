package io.usageplans.local;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;

import java.time.Duration;

/**
 * The throttle buckets and quota counter of one key on one plan. Every method runs under this object's lock,
 * which is what makes "rejected by any limit, consumed from none" atomic; the Bucket4j buckets are therefore
 * unsynchronized and read the decision's time from this object, so one decision sees one instant.
 */
final class KeyState implements TimeMeter {

    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long[] NO_HISTORY = new long[0];

    private long nowNanos;
    private BucketSpec planSpec;
    private LocalBucket planBucket;
    private BucketSpec[] methodSpecs = new BucketSpec[0];
    private LocalBucket[] methodBuckets = new LocalBucket[0];
    private long quotaStartMillis = Long.MIN_VALUE;
    private long quotaUsed;

    /** When every bucket is full again and no quota period with usage is running: then this state can go. */
    long idleAfterNanos;
    /** Set under the lock when the sweeper removed this state from the map. */
    boolean evicted;
    /** Daily usage, {@link History#STRIDE} longs per UTC day, oldest first; see {@link History}. */
    long[] history;
    private final int reportDays;

    KeyState(long[] history, int reportDays) {
        this.history = history == null ? NO_HISTORY : history;
        this.reportDays = reportDays;
    }

    Consumption consume(MeteringRequest request) {
        nowNanos = request.nowNanos();
        QuotaWindow quota = request.quota();
        // only a later period resets: a request that read the clock just before midnight counts in the new day
        if (quota != null && quota.startMillis() > quotaStartMillis) {
            quotaStartMillis = quota.startMillis();
            quotaUsed = 0;
        }
        LocalBucket plan = request.planBucket() == null ? null : planBucket(request.planBucket());
        LocalBucket method = request.methodBucket() == null ? null : methodBucket(request.methodBucket());

        long cost = request.cost();
        if (quota != null && quotaUsed + cost > quota.limit()) {
            return rejected(Verdict.QUOTA_EXCEEDED, request, plan, method, 0);
        }
        ConsumptionProbe methodProbe = null;
        if (method != null) {
            methodProbe = method.tryConsumeAndReturnRemaining(cost);
            if (!methodProbe.isConsumed()) {
                return rejected(Verdict.METHOD_THROTTLED, request, plan, method, methodProbe.getNanosToWaitForRefill());
            }
        }
        ConsumptionProbe planProbe = null;
        if (plan != null) {
            planProbe = plan.tryConsumeAndReturnRemaining(cost);
            if (!planProbe.isConsumed()) {
                if (method != null) {
                    method.addTokens(cost); // give back: a rejected request consumes from no limit
                }
                return rejected(Verdict.PLAN_THROTTLED, request, plan, method, planProbe.getNanosToWaitForRefill());
            }
        }
        if (quota != null) {
            quotaUsed += cost;
            extendIdle(quota.endMillis() * NANOS_PER_MILLI);
        }
        if (reportDays > 0) {
            history = History.add(history, dayOf(nowNanos), cost, quota == null ? 0 : quotaUsed, reportDays);
        }
        long planTokens = planProbe == null ? 0 : planProbe.getRemainingTokens();
        long planToFull = planProbe == null ? 0 : planProbe.getNanosToWaitForReset();
        long methodTokens = methodProbe == null ? 0 : methodProbe.getRemainingTokens();
        long methodToFull = methodProbe == null ? 0 : methodProbe.getNanosToWaitForReset();
        extendIdle(nowNanos + Math.max(planToFull, methodToFull));
        return new Consumption(Verdict.ALLOWED, planTokens, planToFull, methodTokens, methodToFull, quotaUsed, 0);
    }

    void refund(MeteringRequest request, boolean plan, boolean method, boolean quota) {
        nowNanos = Math.max(nowNanos, request.nowNanos());
        long cost = request.cost();
        if (plan && request.planBucket() != null && planBucket != null && request.planBucket().equals(planSpec)) {
            planBucket.addTokens(cost);
        }
        if (method && request.methodBucket() != null) {
            for (int i = 0; i < methodSpecs.length; i++) {
                if (methodSpecs[i].equals(request.methodBucket())) {
                    methodBuckets[i].addTokens(cost);
                }
            }
        }
        if (quota && request.quota() != null && quotaStartMillis == request.quota().startMillis()) {
            quotaUsed = Math.max(0, quotaUsed - cost);
        }
        if (quota) {
            History.giveBack(history, dayOf(request.nowNanos()), cost, request.quota() == null ? -1 : quotaUsed);
        }
    }

    /** The quota counter in {@code window}: 0 when this state holds an earlier period. */
    long quotaUsed(io.usageplans.QuotaWindow window) {
        return quotaStartMillis == window.startMillis() ? quotaUsed : 0;
    }

    /** AWS's UpdateUsage: changes the counter of the period {@code window}, and notes it in today's history. */
    long updateQuota(io.usageplans.QuotaWindow window, io.usageplans.spi.QuotaUpdate update, long atNanos) {
        if (window.startMillis() > quotaStartMillis) {
            quotaStartMillis = window.startMillis();
            quotaUsed = 0;
        }
        if (window.startMillis() == quotaStartMillis) {
            quotaUsed = update.applyTo(quotaUsed);
            extendIdle(window.endMillis() * NANOS_PER_MILLI);
            if (reportDays > 0) {
                history = History.add(history, dayOf(atNanos), 0, quotaUsed, reportDays);
            }
        }
        return quotaUsed;
    }

    private static long dayOf(long epochNanos) {
        return Math.floorDiv(Math.floorDiv(epochNanos, NANOS_PER_MILLI), MILLIS_PER_DAY);
    }

    private Consumption rejected(Verdict verdict, MeteringRequest request, LocalBucket plan, LocalBucket method,
                                 long nanosToRetry) {
        long planTokens = plan == null ? 0 : plan.getAvailableTokens();
        long methodTokens = method == null ? 0 : method.getAvailableTokens();
        long planToFull = plan == null ? 0 : request.planBucket().nanosToFull(planTokens);
        long methodToFull = method == null ? 0 : request.methodBucket().nanosToFull(methodTokens);
        return new Consumption(verdict, planTokens, planToFull, methodTokens, methodToFull, quotaUsed, nanosToRetry);
    }

    private void extendIdle(long untilNanos) {
        if (untilNanos > idleAfterNanos) {
            idleAfterNanos = untilNanos;
        }
    }

    private LocalBucket planBucket(BucketSpec spec) {
        if (planBucket == null || !spec.equals(planSpec)) {
            planSpec = spec;
            planBucket = newBucket(spec);
        }
        return planBucket;
    }

    private LocalBucket methodBucket(BucketSpec spec) {
        for (int i = 0; i < methodSpecs.length; i++) {
            if (methodSpecs[i].id().equals(spec.id())) {
                if (!methodSpecs[i].equals(spec)) { // the catalog changed this method's throttle
                    methodSpecs[i] = spec;
                    methodBuckets[i] = newBucket(spec);
                }
                return methodBuckets[i];
            }
        }
        int n = methodSpecs.length;
        methodSpecs = java.util.Arrays.copyOf(methodSpecs, n + 1);
        methodBuckets = java.util.Arrays.copyOf(methodBuckets, n + 1);
        methodSpecs[n] = spec;
        methodBuckets[n] = newBucket(spec);
        return methodBuckets[n];
    }

    private LocalBucket newBucket(BucketSpec spec) {
        Bandwidth bandwidth = Bandwidth.builder()
                .capacity(spec.capacity())
                .refillGreedy(spec.capacity(), Duration.ofNanos(spec.nanosToFill()))
                .initialTokens(spec.capacity())
                .build();
        return Bucket.builder()
                .addLimit(bandwidth)
                .withCustomTimePrecision(this)
                .withSynchronizationStrategy(SynchronizationStrategy.NONE)
                .build();
    }

    @Override
    public long currentTimeNanos() {
        return nowNanos;
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
