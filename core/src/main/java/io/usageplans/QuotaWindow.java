package io.usageplans;

import java.time.Instant;

/** One calendar period of a quota, {@code [start, end)} in epoch milliseconds, and the limit that applies in it. */
public record QuotaWindow(long limit, long startMillis, long endMillis) {

    public QuotaWindow {
        if (endMillis <= startMillis) {
            throw new IllegalArgumentException("a quota window must end after it starts: " + startMillis + ".." + endMillis);
        }
    }

    public boolean contains(long epochMillis) {
        return epochMillis >= startMillis && epochMillis < endMillis;
    }

    /** Whole seconds from {@code nowMillis} until this period ends, rounded up and never 0. */
    public long secondsUntilEnd(long nowMillis) {
        long millis = endMillis - nowMillis;
        return Math.max(1L, (millis + 999) / 1000);
    }

    /** Length of the period in seconds (a MONTH window is 28 to 31 days, a DAY may be 23 or 25 hours across DST). */
    public long lengthSeconds() {
        return (endMillis - startMillis + 999) / 1000;
    }

    @Override
    public String toString() {
        return "QuotaWindow[limit=" + limit + ", " + Instant.ofEpochMilli(startMillis) + ".." + Instant.ofEpochMilli(endMillis) + ")";
    }
}
