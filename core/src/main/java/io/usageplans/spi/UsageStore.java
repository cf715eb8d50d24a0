package io.usageplans.spi;

/**
 * Keeps throttle and quota state and decides requests against it. An implementation checks every limit of a
 * {@link MeteringRequest} and consumes from all of them, or from none, atomically per {@code stateKey}.
 * When the quota is used up the verdict is {@code QUOTA_EXCEEDED} even if a bucket is empty as well.
 */
public interface UsageStore extends AutoCloseable {

    Consumption tryConsume(MeteringRequest request);

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
