package io.usageplans.internal;

import io.usageplans.Decision;
import io.usageplans.QuotaWindow;
import io.usageplans.Throttle;
import io.usageplans.spi.BucketSpec;

/** One method-level throttle as one plan sees it, compiled at start-up: its bucket and RateLimit policy item. */
final class MethodRoute implements Decision.Limits {

    private final CompiledPlan plan;
    private final String displayKey;
    private final Throttle throttle;
    private final BucketSpec bucket;
    final String policyName;
    final String policyItem;
    final String shapedPolicyItem;
    private final String rawPolicyName;

    /**
     * @param bucketId   identifies the per-key bucket (the same for every plan: a key has one plan per stage)
     * @param displayKey how policies and logs name the method, e.g. {@code /pets/{petId}/GET}
     */
    private final io.usageplans.StatusSet countStatuses;
    volatile RateLimitFields.CachedPolicy cachedPolicy;

    MethodRoute(CompiledPlan plan, String bucketId, String displayKey, Throttle throttle, io.usageplans.StatusSet countStatuses) {
        this.plan = plan;
        this.countStatuses = countStatuses;
        this.displayKey = displayKey;
        this.throttle = throttle;
        this.bucket = new BucketSpec(bucketId, throttle.burstLimit(), throttle.nanosToFill());
        this.rawPolicyName = plan.name() + "-" + displayKey;
        this.policyName = RateLimitFields.quote(rawPolicyName);
        this.policyItem = policyName + ";q=" + throttle.burstLimit() + ";w=" + throttle.windowSeconds();
        this.shapedPolicyItem = policyItem + RateLimitFields.shape(throttle);
    }

    /** The method as the plan file or annotation named it, e.g. {@code /pets/{petId}/GET}. */
    public String displayKey() {
        return displayKey;
    }

    /** The policy's name without quotes, e.g. {@code premium-/pets/{petId}/GET}. */
    public String rawPolicyName() {
        return rawPolicyName;
    }

    /** Only responses with these statuses count toward this method's bucket; null for all. */
    public io.usageplans.StatusSet countStatuses() {
        return countStatuses;
    }

    public Throttle throttle() {
        return throttle;
    }

    public BucketSpec bucket() {
        return bucket;
    }

    /** The plan that sees this method throttle. */
    public CompiledPlan plan() {
        return plan;
    }

    @Override
    public String planName() {
        return plan.name();
    }

    @Override
    public String methodKey() {
        return displayKey;
    }

    @Override
    public boolean hasPlanThrottle() {
        return plan.hasPlanThrottle();
    }

    @Override
    public String policyName(Decision.Limit limit) {
        return limit == Decision.Limit.METHOD_THROTTLE ? rawPolicyName : plan.policyName(limit);
    }

    @Override
    public String rateLimitPolicy(QuotaWindow window, boolean bucketShape) {
        return RateLimitFields.policy(plan, this, window, bucketShape);
    }

    @Override
    public String rateLimit(Decision.Usage usage, QuotaWindow window, long nowMillis) {
        return RateLimitFields.limit(plan, this, usage, window, nowMillis);
    }
}
