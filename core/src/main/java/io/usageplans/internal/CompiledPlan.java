package io.usageplans.internal;

import java.time.Instant;

import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaWindow;
import io.usageplans.Throttle;
import io.usageplans.spi.BucketSpec;

/**
 * A plan as the request path needs it: its bucket shape, its quota with the current period cached, and its
 * RateLimit policy items rendered once. Method throttles live in the {@link RouteTable}.
 */
final class CompiledPlan implements Decision.Limits {

    private final Plan plan;
    private final BucketSpec bucket;
    private final Quota quota;
    final int index;
    final String burstPolicyName;
    final String burstPolicyItem;
    final String shapedBurstPolicyItem;
    final String quotaPolicyName;
    private volatile CachedWindow current;
    private final java.util.concurrent.atomic.LongAdder[] outcomeCounters;
    volatile RateLimitFields.CachedPolicy cachedPolicy;

    public CompiledPlan(Plan plan, int index, java.util.concurrent.atomic.LongAdder[] outcomeCounters) {
        this.plan = plan;
        this.outcomeCounters = outcomeCounters;
        this.index = index;
        Throttle throttle = plan.throttle();
        this.bucket = throttle == null ? null : new BucketSpec("plan", throttle.burstLimit(), throttle.nanosToFill());
        this.burstPolicyName = RateLimitFields.quote(plan.name() + "-burst");
        this.burstPolicyItem = throttle == null ? null
                : burstPolicyName + ";q=" + throttle.burstLimit() + ";w=" + throttle.windowSeconds();
        this.shapedBurstPolicyItem = throttle == null ? null : burstPolicyItem + RateLimitFields.shape(throttle);
        this.quota = plan.quota();
        this.quotaPolicyName = quota == null ? null : RateLimitFields.quote(plan.name() + "-" + quota.period().policySuffix());
    }

    /** This plan's decision counters by outcome, kept by the engine across catalog changes. */
    public java.util.concurrent.atomic.LongAdder[] outcomeCounters() {
        return outcomeCounters;
    }

    public String name() {
        return plan.name();
    }

    @Override
    public String planName() {
        return plan.name();
    }

    @Override
    public String methodKey() {
        return null;
    }

    @Override
    public boolean hasPlanThrottle() {
        return bucket != null;
    }

    @Override
    public String policyName(Decision.Limit limit) {
        return switch (limit) {
            case METHOD_THROTTLE, STAGE_THROTTLE -> null;
            case PLAN_THROTTLE -> rawBurstPolicyName();
            case QUOTA -> rawQuotaPolicyName();
        };
    }

    @Override
    public String rateLimitPolicy(QuotaWindow window, boolean bucketShape) {
        return RateLimitFields.policy(this, null, window, bucketShape);
    }

    @Override
    public String rateLimit(Decision.Usage usage, QuotaWindow window, long nowMillis) {
        return RateLimitFields.limit(this, null, usage, window, nowMillis);
    }

    /** Whether every allowed request counts whatever its status (no countStatuses on the plan or the method). */
    public boolean countsEverything(MethodRoute route) {
        return plan.throttleCountStatuses() == null && plan.quotaCountStatuses() == null
                && (route == null || route.countStatuses() == null);
    }

    /** The plan throttle's policy name without quotes, e.g. {@code premium-burst}. */
    public String rawBurstPolicyName() {
        return plan.name() + "-burst";
    }

    /** The quota's policy name without quotes, e.g. {@code premium-day}, or null. */
    public String rawQuotaPolicyName() {
        return quota == null ? null : plan.name() + "-" + quota.period().policySuffix();
    }

    public Plan plan() {
        return plan;
    }

    /** The plan's throttle as a bucket, or null when the plan is not throttled. */
    public BucketSpec bucket() {
        return bucket;
    }

    public Quota quota() {
        return quota;
    }

    /** The quota period containing {@code nowMillis}; computed from the calendar once per period. */
    public QuotaWindow window(long nowMillis) {
        if (quota == null) {
            return null;
        }
        CachedWindow cached = current;
        if (cached == null || !cached.window.contains(nowMillis)) {
            QuotaWindow window = quota.windowAt(Instant.ofEpochMilli(nowMillis));
            cached = new CachedWindow(window, quotaPolicyName + ";q=" + quota.limit() + ";w=" + window.lengthSeconds());
            current = cached;
        }
        return cached.window;
    }

    String quotaPolicyItem(QuotaWindow window) {
        CachedWindow cached = current;
        if (cached != null && cached.window.equals(window)) {
            return cached.policyItem;
        }
        return quotaPolicyName + ";q=" + window.limit() + ";w=" + window.lengthSeconds();
    }

    private record CachedWindow(QuotaWindow window, String policyItem) {
    }
}
