package io.usageplans.spi;

/**
 * Keeps throttle and quota state and decides requests against it. An implementation checks every limit of a
 * {@link MeteringRequest} and consumes from all of them, or from none, atomically per {@code stateKey}.
 * When the quota is used up the verdict is {@code QUOTA_EXCEEDED} even if a bucket is empty as well.
 */
public interface UsageStore extends AutoCloseable {

    Consumption tryConsume(MeteringRequest request);

    /** Releases threads and connections; the default does nothing. */
    @Override
    default void close() {
    }
}
