package io.usageplans.store.local;

import java.util.Arrays;

import io.github.bucket4j.BucketState;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.AllowancePolicy;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;

/**
 * The throttle buckets and quota counter of one key on one plan. Every method runs under this object's lock,
 * which is what makes "rejected by any limit, consumed from none" atomic. A throttle is Bucket4j's own bucket state
 * ({@link BucketState}: its refill and consumption arithmetic) without a {@code Bucket} object around it: the
 * configuration is shared by every key with the same throttle ({@link BucketShapes}), and the decision's time is
 * passed in, so a key costs one small state object per throttle instead of a bucket with its configuration.
 */
final class KeyState {

    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long[] NO_HISTORY = new long[0];
    private static final BucketSpec[] NO_SPECS = new BucketSpec[0];
    private static final BucketState[] NO_STATES = new BucketState[0];

    private BucketSpec planSpec;
    private BucketState planBucket;
    private BucketSpec[] methodSpecs = NO_SPECS;
    private BucketState[] methodBuckets = NO_STATES;
    private long quotaStartMillis = Long.MIN_VALUE;
    private long quotaUsed;
    /** Plan tokens granted to members as allowances and not yet settled; the plan bucket refills only up to capacity less these. */
    private long leasedTokens;
    /** After this time no member spends from the allowances granted so far: {@link #leasedTokens} then lapse. */
    private long leaseDeadlineNanos;

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

    /**
     * Checks and consumes every limit of one request, all or nothing, and says which limit refused it if one did;
     * {@link #answer} then reads the state of every limit. It takes the request's parts rather than the request, and
     * the caller builds the one answer object, so that on the hot path neither the request nor the answer leaves the
     * caller's frame (the JIT can then keep both off the heap).
     */
    Verdict consume(BucketSpec planSpec, BucketSpec methodSpec, QuotaWindow quota, long now, long cost, BucketShapes shapes) {
        enterPeriod(quota);
        BucketState plan = planSpec == null ? null : planBucket(planSpec, shapes, now);
        BucketState method = methodSpec == null ? null : methodBucket(methodSpec, shapes, now);
        if (plan != null) {
            refillPlan(plan, now);
        }
        if (method != null) {
            method.refillAllBandwidth(now);
        }

        if (quota != null && quotaUsed + cost > quota.limit()) {
            return Verdict.QUOTA_EXCEEDED;
        }
        if (method != null && method.getAvailableTokens() < cost) {
            return Verdict.METHOD_THROTTLED;
        }
        if (plan != null && plan.getAvailableTokens() < cost) {
            return Verdict.PLAN_THROTTLED;
        }
        long planTokens = 0;
        long planToFull = 0;
        long methodTokens = 0;
        long methodToFull = 0;
        if (method != null) {
            method.consume(cost);
            methodTokens = method.getAvailableTokens();
            methodToFull = method.calculateFullRefillingTime(now);
        }
        if (plan != null) {
            plan.consume(cost);
            planTokens = plan.getAvailableTokens();
            planToFull = plan.calculateFullRefillingTime(now);
        }
        if (quota != null) {
            quotaUsed += cost;
            extendIdle(quota.endMillis() * NANOS_PER_MILLI);
        }
        if (reportDays > 0) {
            history = History.add(history, dayOf(now), cost, quota == null ? 0 : quotaUsed, reportDays);
        }
        extendIdle(now + Math.max(planToFull, methodToFull));
        return Verdict.ALLOWED;
    }

    /**
     * The answer to the request {@link #consume} just decided, under the same lock: the state of every limit after
     * it, and for a throttled request when the refusing bucket has {@code cost} tokens again.
     */
    Consumption answer(Verdict verdict, BucketSpec planSpec, BucketSpec methodSpec, long now, long cost) {
        BucketState plan = planSpec == null ? null : planBucket;
        BucketState method = methodSpec == null ? null : existingMethodBucket(methodSpec);
        long nanosToRetry = switch (verdict) {
            case METHOD_THROTTLED -> method.calculateDelayNanosAfterWillBePossibleToConsume(cost, now, false);
            case PLAN_THROTTLED -> plan.calculateDelayNanosAfterWillBePossibleToConsume(cost, now, false);
            default -> 0;
        };
        return new Consumption(verdict, plan == null ? 0 : plan.getAvailableTokens(),
                plan == null ? 0 : plan.calculateFullRefillingTime(now), method == null ? 0 : method.getAvailableTokens(),
                method == null ? 0 : method.calculateFullRefillingTime(now), quotaUsed, nanosToRetry);
    }

    void refund(MeteringRequest request, boolean plan, boolean method, boolean quota) {
        long now = request.nowNanos();
        long cost = request.cost();
        if (plan && request.planBucket() != null && planBucket != null && request.planBucket().equals(planSpec)) {
            planBucket.refillAllBandwidth(now);
            planBucket.addTokens(cost);
            refillPlan(planBucket, now);
        }
        if (method && request.methodBucket() != null) {
            for (int i = 0; i < methodSpecs.length; i++) {
                if (methodSpecs[i].equals(request.methodBucket())) {
                    methodBuckets[i].refillAllBandwidth(now);
                    methodBuckets[i].addTokens(cost);
                }
            }
        }
        if (quota && request.quota() != null && quotaStartMillis == request.quota().startMillis()) {
            quotaUsed = Math.max(0, quotaUsed - cost);
        }
        if (quota) {
            History.giveBack(history, dayOf(now), cost, request.quota() == null ? -1 : quotaUsed);
        }
    }

    /** See {@link io.usageplans.spi.UsageStore#settle}: settles one member's allowance of this key, then grants more. */
    AllowanceGrant settle(AllowanceChange change, BucketShapes shapes) {
        long now = change.nowNanos();
        QuotaWindow quota = change.quota();
        if (quota != null && quotaStartMillis == Long.MIN_VALUE) {
            // only decisions move the counter to another period (a settlement may carry a member's earlier plan); a
            // state that has none yet starts it
            quotaStartMillis = quota.startMillis();
            quotaUsed = 0;
        }
        // a settlement made under another shape of the plan throttle (the plan changed since, or this member has not
        // heard of the change yet) gives its units back to the bucket as it is now, and is granted nothing
        boolean sameShape = change.planBucket() == null || planBucket == null || change.planBucket().equals(planSpec);
        BucketState plan = change.planBucket() == null ? null : sameShape ? planBucket(change.planBucket(), shapes, now) : planBucket;
        if (plan != null) {
            leasedTokens = Math.max(0, leasedTokens - change.spent() - change.returned());
            refillPlan(plan, now);
        }
        boolean samePeriod = quota != null && quota.startMillis() == quotaStartMillis;
        long returned = change.returned();
        if (returned > 0) {
            if (plan != null) {
                plan.addTokens(returned);
                refillPlan(plan, now);
            }
            if (samePeriod) {
                quotaUsed = Math.max(0, quotaUsed - returned);
            }
            if (quota == null || samePeriod) { // units of a period that is over stay in that period's days
                History.giveBack(history, dayOf(now), returned, quota == null ? -1 : quotaUsed);
            }
        }
        long tokensLeft = plan == null ? Long.MAX_VALUE : plan.getAvailableTokens();
        long quotaRemaining = quota == null ? Long.MAX_VALUE : samePeriod ? quota.limit() - quotaUsed : 0;
        long granted = sameShape ? AllowancePolicy.grant(change.wanted(), tokensLeft, quotaRemaining) : 0;
        if (granted > 0) {
            if (plan != null) {
                plan.consume(granted);
                leasedTokens += granted;
                leaseDeadlineNanos = Math.max(leaseDeadlineNanos, now + change.holdNanos());
                extendIdle(leaseDeadlineNanos);
            }
            if (quota != null) {
                quotaUsed += granted;
                extendIdle(quota.endMillis() * NANOS_PER_MILLI);
            }
            if (reportDays > 0) {
                history = History.add(history, dayOf(now), granted, quota == null ? 0 : quotaUsed, reportDays);
            }
        }
        long planTokens = plan == null ? 0 : plan.getAvailableTokens();
        long planToFull = plan == null ? 0 : plan.calculateFullRefillingTime(now);
        extendIdle(now + planToFull);
        return new AllowanceGrant(granted, planTokens, planToFull, quota == null ? 0 : quotaUsed);
    }

    /**
     * Refills the plan bucket to {@code now}, but only up to its capacity less the tokens members hold as allowances:
     * the bucket and the allowances together never hold more than the burst. Allowances past their hold time lapse.
     */
    private void refillPlan(BucketState plan, long now) {
        plan.refillAllBandwidth(now);
        if (leasedTokens > 0 && now > leaseDeadlineNanos) {
            leasedTokens = 0;
        }
        if (leasedTokens > 0) {
            long excess = plan.getAvailableTokens() - (planSpec.capacity() - leasedTokens);
            if (excess > 0) {
                plan.consume(excess);
            }
        }
    }

    /** The quota counter in {@code window}: 0 when this state holds an earlier period. */
    long quotaUsed(QuotaWindow window) {
        return quotaStartMillis == window.startMillis() ? quotaUsed : 0;
    }

    /** AWS's UpdateUsage: changes the counter of the period {@code window}, and notes it in today's history. */
    long updateQuota(QuotaWindow window, io.usageplans.spi.QuotaUpdate update, long atNanos) {
        enterPeriod(window);
        if (window.startMillis() == quotaStartMillis) {
            quotaUsed = update.applyTo(quotaUsed);
            extendIdle(window.endMillis() * NANOS_PER_MILLI);
            if (reportDays > 0) {
                history = History.add(history, dayOf(atNanos), 0, quotaUsed, reportDays);
            }
        }
        return quotaUsed;
    }

    /**
     * Moves the counter to {@code quota}'s period when that is a new one: a later period, or one that started earlier
     * and is not over when the counted one started (the plan's period or offset changed). A period that ended when the
     * counted one started is not: a request that read the clock just before midnight counts in the new day. A changed
     * limit alone is the same period: it applies to the counter as it is.
     */
    private void enterPeriod(QuotaWindow quota) {
        if (quota == null || quota.startMillis() == quotaStartMillis
                || (quota.startMillis() < quotaStartMillis && quota.endMillis() <= quotaStartMillis)) {
            return;
        }
        quotaStartMillis = quota.startMillis();
        quotaUsed = 0;
    }

    private static long dayOf(long epochNanos) {
        return Math.floorDiv(Math.floorDiv(epochNanos, NANOS_PER_MILLI), MILLIS_PER_DAY);
    }

    private void extendIdle(long untilNanos) {
        if (untilNanos > idleAfterNanos) {
            idleAfterNanos = untilNanos;
        }
    }

    private BucketState planBucket(BucketSpec spec, BucketShapes shapes, long now) {
        if (planBucket == null) {
            planSpec = spec;
            planBucket = shapes.newFullBucket(spec, now);
        } else if (!spec.equals(planSpec)) { // the catalog changed the plan's throttle: the tokens carry over
            // allowances out stay counted: with the new burst they cap the bucket until they come back or lapse
            refillPlan(planBucket, now);
            planSpec = spec;
            planBucket = shapes.reshaped(planBucket, spec, now);
        }
        return planBucket;
    }

    private BucketState existingMethodBucket(BucketSpec spec) {
        for (int i = 0; i < methodSpecs.length; i++) {
            if (methodSpecs[i] == spec || methodSpecs[i].equals(spec)) {
                return methodBuckets[i];
            }
        }
        throw new IllegalStateException("no bucket for " + spec.id());
    }

    private BucketState methodBucket(BucketSpec spec, BucketShapes shapes, long now) {
        for (int i = 0; i < methodSpecs.length; i++) {
            if (methodSpecs[i].id().equals(spec.id())) {
                if (!methodSpecs[i].equals(spec)) { // the catalog changed this method's throttle: the tokens carry over
                    methodBuckets[i] = shapes.reshaped(methodBuckets[i], spec, now);
                    methodSpecs[i] = spec;
                }
                return methodBuckets[i];
            }
        }
        int n = methodSpecs.length;
        methodSpecs = Arrays.copyOf(methodSpecs, n + 1);
        methodBuckets = Arrays.copyOf(methodBuckets, n + 1);
        methodSpecs[n] = spec;
        methodBuckets[n] = shapes.newFullBucket(spec, now);
        return methodBuckets[n];
    }
}
