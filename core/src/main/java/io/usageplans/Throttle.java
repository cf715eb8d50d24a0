package io.usageplans;

/**
 * A token bucket: {@code burstLimit} requests may arrive at once, refilled continuously at
 * {@code rateLimit} requests per second. Field names follow AWS API Gateway's ThrottleSettings.
 */
public record Throttle(double rateLimit, int burstLimit) {

    public Throttle {
        if (!(rateLimit > 0) || Double.isInfinite(rateLimit)) {
            throw new IllegalArgumentException("rateLimit must be a number of requests per second greater than 0, was "
                    + Values.number(rateLimit));
        }
        if (burstLimit < 1) {
            throw new IllegalArgumentException("burstLimit must be a whole number of requests of at least 1, was " + burstLimit);
        }
    }

    public static Throttle of(double rateLimit, int burstLimit) {
        return new Throttle(rateLimit, burstLimit);
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
