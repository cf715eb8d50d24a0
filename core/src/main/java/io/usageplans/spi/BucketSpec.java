package io.usageplans.spi;

/**
 * The shape of one token bucket of a request: {@code capacity} tokens (the burst), refilled continuously from
 * empty to full in {@code nanosToFill}. Plain numbers, so a clustered store can ship it to another member.
 *
 * <p>A store keeps each bucket by {@code id} with the shape it was last refilled with. When a request brings another
 * shape of the same id (the plan changed while running), the tokens carry over: they refill at the old shape's rate
 * until the request's time, then a lower capacity caps them at once and a higher one adds the difference at once
 * (Bucket4j's {@code TokensInheritanceStrategy.ADDITIVE}), capped at the new capacity; the new rate applies from then.
 *
 * @param id identifies the bucket within the state of one key and plan: {@code plan} for the plan throttle,
 *           the method key (e.g. {@code /pets/{petId}/GET}) for a method throttle
 */
public record BucketSpec(String id, long capacity, long nanosToFill) {

    public BucketSpec {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("bucket id must not be empty");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("bucket capacity must be at least 1, was " + capacity);
        }
        if (nanosToFill < 1) {
            throw new IllegalArgumentException("bucket refill time must be positive, was " + nanosToFill + " ns");
        }
    }

    /** Nanoseconds until a bucket holding {@code tokens} is full again. */
    public long nanosToFull(long tokens) {
        if (tokens >= capacity) {
            return 0;
        }
        return (long) Math.ceil((double) (capacity - tokens) * nanosToFill / capacity);
    }
}
