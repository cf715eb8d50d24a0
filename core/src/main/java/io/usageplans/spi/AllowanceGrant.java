package io.usageplans.spi;

/**
 * What a store answered to one {@link AllowanceChange}: the units granted and the shared state afterwards, from which
 * a member writes honest RateLimit fields until its next settlement.
 *
 * @param granted         units granted now: that many plan tokens taken and quota units counted (0 when none)
 * @param planTokens      tokens left in the shared plan bucket after the grant (0 without a throttle)
 * @param planNanosToFull nanoseconds until the shared plan bucket is full again
 * @param quotaUsed       the quota counter after the grant, granted units included (0 without a quota)
 */
public record AllowanceGrant(long granted, long planTokens, long planNanosToFull, long quotaUsed) {

    /** Nothing granted and nothing known: a store's answer for a change it could not apply. */
    public static final AllowanceGrant NONE = new AllowanceGrant(0, 0, 0, 0);
}
