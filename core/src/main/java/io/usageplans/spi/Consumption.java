package io.usageplans.spi;

import io.usageplans.Decision;

/**
 * What a store decided for one {@link MeteringRequest}, and the state of every limit afterwards: the one value
 * the response headers are computed from. Numbers of limits that do not apply are 0.
 *
 * @param verdict           allowed, or which limit rejected the request
 * @param planTokens        tokens left in the plan bucket
 * @param planNanosToFull   nanoseconds until the plan bucket is full again
 * @param methodTokens      tokens left in the method bucket
 * @param methodNanosToFull nanoseconds until the method bucket is full again
 * @param quotaUsed         requests counted in the current quota period, this one included if allowed
 * @param nanosToRetry      for a throttled request, nanoseconds until the rejecting bucket has a token again
 */
public record Consumption(Verdict verdict, long planTokens, long planNanosToFull, long methodTokens,
                          long methodNanosToFull, long quotaUsed, long nanosToRetry)
        implements Decision.Usage {

    /** The outcome for the limits; a rejected request consumed from none of them. */
    public enum Verdict {
        ALLOWED,
        /** The method-level bucket had no token. */
        METHOD_THROTTLED,
        /** The plan's bucket had no token. */
        PLAN_THROTTLED,
        /** The quota for the current period is used up; decided before the throttles. */
        QUOTA_EXCEEDED
    }
}
