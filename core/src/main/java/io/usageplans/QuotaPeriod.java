package io.usageplans;

/** The calendar period a quota counts over, as in AWS API Gateway's QuotaSettings. */
public enum QuotaPeriod {
    /** From 00:00 to the next 00:00. {@code offset} must be 0. */
    DAY(0),
    /** From Sunday 00:00, or the weekday {@code offset} names (0 = Sunday ... 6 = Saturday). */
    WEEK(6),
    /** From the 1st 00:00, or day {@code offset + 1} (0 = the 1st ... 27 = the 28th); a real month of 28-31 days. */
    MONTH(27);

    private final int maxOffset;

    QuotaPeriod(int maxOffset) {
        this.maxOffset = maxOffset;
    }

    public int maxOffset() {
        return maxOffset;
    }

    /** The name used in RateLimit policy names, e.g. {@code premium-day}. */
    public String policySuffix() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
