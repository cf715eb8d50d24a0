package io.usageplans.spi;

/**
 * How much allowance a store grants, the same for every store so that lease mode behaves alike on each: at most an
 * eighth of what is left, and nothing near a limit. Near a limit every member decides on the store itself (the
 * exact path), so that a small quota or burst is counted exactly and one member never waits for another's allowance.
 */
public final class AllowancePolicy {

    /** A grant takes at most this share (1/n) of the tokens or quota units left. */
    public static final int SHARE_DIVISOR = 8;
    /** A throttle is shared only while at least this many tokens are left in its bucket. */
    public static final long MIN_TOKENS_TO_SHARE = 256;
    /** A quota is shared only while at least this many units are left in its period. */
    public static final long MIN_QUOTA_TO_SHARE = 1000;

    private AllowancePolicy() {
    }

    /**
     * The units to grant.
     *
     * @param wanted         what the member asked for
     * @param tokensLeft     tokens the shared plan bucket holds now, or {@link Long#MAX_VALUE} when the plan has no throttle
     * @param quotaRemaining quota units left in the period, or {@link Long#MAX_VALUE} when the plan has no quota
     */
    public static long grant(long wanted, long tokensLeft, long quotaRemaining) {
        if (wanted <= 0 || tokensLeft < MIN_TOKENS_TO_SHARE || quotaRemaining < MIN_QUOTA_TO_SHARE) {
            return 0;
        }
        return Math.min(wanted, Math.min(tokensLeft / SHARE_DIVISOR, quotaRemaining / SHARE_DIVISOR));
    }
}
