package io.usageplans.internal;

import io.usageplans.Throttle;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;

/**
 * One stage method's throttle for all callers together, compiled at start-up: one bucket in the store under a state key
 * of its own (so a clustered store shares it across members), and its RateLimit policy item ({@code "stage-/pets/GET"}).
 */
final class StageBucket {

    private final String displayKey;
    private final Throttle throttle;
    private final BucketSpec bucket;
    private final String stateKey;
    final String rawPolicyName;
    final String policyName;
    final String policyItem;
    final String shapedPolicyItem;
    final String origin;

    /**
     * @param displayKey the method as AWS keys it ({@code /pets/GET}); for the whole stage, {@code * /*} (no space)
     * @param normalized the method with variable names left out, naming the shared bucket
     * @param origin     where the throttle was set, for logs
     */
    StageBucket(String api, String stage, String displayKey, String normalized, Throttle throttle, String origin) {
        this.displayKey = displayKey;
        this.throttle = throttle;
        this.origin = origin;
        this.bucket = new BucketSpec("stage", throttle.burstLimit(), throttle.nanosToFill());
        this.stateKey = UsageStore.stageStateKey(api, stage, normalized);
        this.rawPolicyName = "stage-" + displayKey;
        this.policyName = RateLimitFields.quote(rawPolicyName);
        this.policyItem = policyName + ";q=" + throttle.burstLimit() + ";w=" + throttle.windowSeconds();
        this.shapedPolicyItem = policyItem + RateLimitFields.shape(throttle);
    }

    /**
     * The store request that takes {@code cost} tokens from the shared bucket. It travels as a method bucket without plan
     * bucket or quota: lease mode sends it to the store every time, so the bucket is decided exactly, on the owner of
     * its state, and never over.
     */
    MeteringRequest request(long nowNanos, long cost) {
        return new MeteringRequest(stateKey, null, bucket, null, nowNanos, cost);
    }

    String displayKey() {
        return displayKey;
    }

    Throttle throttle() {
        return throttle;
    }
}
