package io.usageplans.spi;

import io.usageplans.QuotaWindow;

/**
 * One member's settlement of the allowance it holds for one key and plan, and the allowance it asks for next, in a
 * batch a store applies with {@link UsageStore#settle}. An allowance is a number of requests' worth of the plan's
 * throttle tokens and quota units together, taken from the shared state when granted.
 *
 * @param stateKey   the key and plan, as in {@link MeteringRequest#stateKey()}
 * @param planBucket the plan's throttle, or {@code null} when the plan is not throttled
 * @param quota      the quota period the allowance belongs to, or {@code null} when the plan has no quota
 * @param nowNanos   the member's time of this settlement, nanoseconds since the epoch
 * @param spent      units of earlier grants the member spent (allowed requests) since its last settlement
 * @param returned   units of earlier grants the member gives back unspent
 * @param wanted     units the member asks for now (0: settle only); the store may grant fewer, or none
 * @param holdNanos  how long after {@code nowNanos} the member may spend a grant; after that it spends nothing of it
 */
public record AllowanceChange(String stateKey, BucketSpec planBucket, QuotaWindow quota, long nowNanos, long spent,
                              long returned, long wanted, long holdNanos) {

    public AllowanceChange {
        if (stateKey == null || stateKey.isEmpty()) {
            throw new IllegalArgumentException("stateKey must not be empty");
        }
        if (spent < 0 || returned < 0 || wanted < 0 || holdNanos < 0) {
            throw new IllegalArgumentException("spent, returned, wanted and holdNanos must not be negative: " + spent + ", "
                    + returned + ", " + wanted + ", " + holdNanos);
        }
    }
}
