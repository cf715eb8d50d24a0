package io.usageplans.spi;

import io.usageplans.QuotaWindow;

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
     * The days from {@code fromEpochDay} to {@code toEpochDay} (UTC, inclusive) on which {@code stateKey} had usage
     * recorded, oldest first; days without usage are left out. Stores keep a configurable number of days.
     *
     * @throws UnsupportedOperationException if this store keeps no usage history
     */
    default java.util.List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no usage history");
    }

    /**
     * The quota counter of {@code stateKey} in the period {@code window}: units counted, or fewer after an extension.
     *
     * @throws UnsupportedOperationException if this store cannot read its counters
     */
    default long quotaUsed(String stateKey, QuotaWindow window) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot read quota counters");
    }

    /**
     * Changes the quota counter of {@code stateKey} in the period {@code window} atomically against decisions (AWS's
     * UpdateUsage), records the new remaining quota in today's usage history, and returns the new counter.
     *
     * @throws UnsupportedOperationException if this store cannot change its counters
     */
    default long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot change quota counters");
    }

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
