package io.usageplans.spi;

import io.usageplans.Decision;
import io.usageplans.QuotaWindow;

/**
 * Everything a store needs to decide one request for one key on one plan: the buckets to take a token from
 * and the quota period to count in. Limits that do not apply are {@code null}.
 *
 * <p>The limits travel with every request, so a plan changed while running applies at the next request, to the state
 * the key has: buckets carry their tokens over to a new shape ({@link BucketSpec}); a changed quota limit applies to the
 * counter of the current period (lowered below what was used: {@code QUOTA_EXCEEDED}); a changed period or offset
 * starts a new counter when its window starts later than the counted one, or started earlier and is not over when the
 * counted one began (a window that ended then is a late request from the previous period, counted in the current one).
 *
 * @param stateKey     identifies the key and plan whose state is used (never the key value)
 * @param planBucket   the plan's throttle, or {@code null} when the plan is not throttled
 * @param methodBucket the method-level throttle of the called method, or {@code null}
 * @param quota        the current calendar period of the plan's quota, or {@code null} when it has no quota
 * @param nowNanos     the time of the decision, nanoseconds since the epoch, from the engine's clock
 * @param cost         tokens and quota units the request takes from every limit, at least 1
 */
public record MeteringRequest(String stateKey, BucketSpec planBucket, BucketSpec methodBucket, QuotaWindow quota,
                              long nowNanos, long cost) implements Decision.Charge {

    public MeteringRequest {
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1, was " + cost);
        }
    }

    /** A request of cost 1. */
    public MeteringRequest(String stateKey, BucketSpec planBucket, BucketSpec methodBucket, QuotaWindow quota, long nowNanos) {
        this(stateKey, planBucket, methodBucket, quota, nowNanos, 1);
    }
}
