package io.usageplans;

/**
 * A token bucket: {@code burstLimit} requests may arrive at once, refilled continuously at
 * {@code rateLimit} requests per second. Field names follow AWS API Gateway's ThrottleSettings.
 */
public record Throttle(double rateLimit, int burstLimit) {

    /** The slowest rate: one request per 1,000 s; {@code up-rate} has three decimals. */
    public static final double MIN_RATE = 0.001;
    /** The fastest rate; beyond it {@code up-rate} would need more than 12 integer digits. */
    public static final double MAX_RATE = 999_999_999_999d;

    public Throttle {
        if (!(rateLimit > 0) || Double.isInfinite(rateLimit)) {
            throw new IllegalArgumentException("rateLimit must be a number of requests per second greater than 0, was "
                    + Values.number(rateLimit));
        }
        if (rateLimit < MIN_RATE || rateLimit > MAX_RATE) {
            throw new IllegalArgumentException(rangeProblem(rateLimit));
        }
        if (burstLimit < 1) {
            throw new IllegalArgumentException("burstLimit must be a whole number of requests of at least 1, was " + burstLimit);
        }
    }

    /** Why a positive rate is out of range: the RateLimit fields could not state it exactly. */
    public static String rangeProblem(double rateLimit) {
        return "rateLimit must be between 0.001 (one request per 1,000 s) and 999,999,999,999 requests per second, so that "
                + "the RateLimit fields can state it, was " + Values.number(rateLimit);
    }

    /**
     * Starts a throttle with its names, as the plan file gives them, so that rate and burst cannot be swapped:
     * {@code Throttle.rateLimit(20).burstLimit(40)}.
     */
    public static RateLimit rateLimit(double requestsPerSecond) {
        return new RateLimit(requestsPerSecond);
    }

    /** A throttle's rate, waiting for its burst: {@link #burstLimit}. */
    public static final class RateLimit {
        private final double rateLimit;

        private RateLimit(double rateLimit) {
            this.rateLimit = rateLimit;
        }

        /** The throttle: {@code requests} may arrive at once. */
        public Throttle burstLimit(int requests) {
            return new Throttle(rateLimit, requests);
        }
    }

    /** Nanoseconds an empty bucket takes to refill to {@code burstLimit}. */
    public long nanosToFill() {
        return Math.max(1L, Math.round(burstLimit * 1_000_000_000d / rateLimit));
    }

    /** The window of the RateLimit-Policy field: whole seconds to refill the burst, rounded up. */
    public long windowSeconds() {
        return Math.max(1L, (long) Math.ceil(burstLimit / rateLimit));
    }
}
