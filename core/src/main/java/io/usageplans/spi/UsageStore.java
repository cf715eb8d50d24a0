package io.usageplans.spi;

/**
 * Keeps throttle and quota state and decides requests against it. An implementation checks every limit of a
 * {@link MeteringRequest} and consumes from all of them, or from none, atomically per {@code stateKey}.
 * When the quota is used up the verdict is {@code QUOTA_EXCEEDED} even if a bucket is empty as well.
 */
public interface UsageStore extends AutoCloseable {

    Consumption tryConsume(MeteringRequest request);

    /**
     * Gives back what an allowed {@code request} took, for the limits named, because the response showed it should
     * not count (e.g. only 2xx count toward the quota). Buckets get their tokens back up to their capacity; the
     * quota gets its units back only while the same period runs. The engine calls it at most once per request.
     */
    void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota);

    /**
     * Called once by the engine that runs on this store, after it compiled its catalog: a clustered store may
     * share the key catalog from here ({@code engine.replaceCatalog}). The default does nothing.
     */
    default void started(io.usageplans.UsagePlans engine) {
    }

    /** Releases threads and connections; the default does nothing. */
    @Override
    default void close() {
    }
}
