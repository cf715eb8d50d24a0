package io.usageplans.internal;

import io.usageplans.MethodKey;
import io.usageplans.Throttle;
import io.usageplans.spi.BucketSpec;

/** One method-level throttle of a plan on this stage, compiled at start-up: its key, bucket and policy item. */
public final class MethodRoute {

    private final MethodKey methodKey;
    private final Throttle throttle;
    private final BucketSpec bucket;
    final String policyName;
    final String policyItem;

    MethodRoute(String planName, MethodKey methodKey, Throttle throttle) {
        this.methodKey = methodKey;
        this.throttle = throttle;
        this.bucket = new BucketSpec(methodKey.toString(), throttle.burstLimit(), throttle.nanosToFill());
        this.policyName = RateLimitFields.quote(planName + "-" + methodKey);
        this.policyItem = policyName + ";q=" + throttle.burstLimit() + ";w=" + throttle.windowSeconds();
    }

    public MethodKey methodKey() {
        return methodKey;
    }

    public Throttle throttle() {
        return throttle;
    }

    public BucketSpec bucket() {
        return bucket;
    }
}
