package io.usageplans.spi;

import io.usageplans.QuotaWindow;

/**
 * Keeps throttle and quota state and decides requests against it. An implementation checks every limit of a
 * {@link MeteringRequest} and consumes from all of them, or from none, atomically per {@code stateKey}.
 * When the quota is used up the verdict is {@code QUOTA_EXCEEDED} even if a bucket is empty as well.
 *
 * <p>Deciding and refunding are what every store does. Reading and changing quota counters and keeping usage history
 * are optional: a store declares the ones it has in {@link #capabilities()}, and callers check there before they use
 * them. Every store passes the contract suite {@code io.usageplans.testing.UsageStoreContract} in core's test jar,
 * which runs the cases of an optional ability only on a store that declares it.
 */
public interface UsageStore extends AutoCloseable {

    /** An optional ability of a store, declared in {@link #capabilities()}. */
    enum Capability {
        /** {@link #dailyUsage}: per-key daily usage for reports. */
        USAGE_HISTORY,
        /** {@link #quotaUsed}: reads a key's quota counter. */
        QUOTA_READ,
        /** {@link #updateQuota}: changes a key's quota counter atomically against decisions. */
        QUOTA_UPDATE,
        /**
         * {@link #settle}: grants and takes back allowances in batches, which lets
         * {@code io.usageplans.store.lease.LeasingUsageStore} decide most requests of a busy key in memory.
         */
        LEASES
    }

    /** The optional abilities this store has; the default is none. */
    default java.util.Set<Capability> capabilities() {
        return java.util.Set.of();
    }

    /** Whether this store declares {@code capability}. */
    default boolean can(Capability capability) {
        return capabilities().contains(capability);
    }

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
     * Only for a store that declares {@link Capability#USAGE_HISTORY}.
     *
     * @throws UnsupportedOperationException if called on a store that does not declare it
     */
    default java.util.List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no usage history");
    }

    /**
     * The quota counter of {@code stateKey} in the period {@code window}: units counted, or fewer after an extension.
     * Only for a store that declares {@link Capability#QUOTA_READ}.
     *
     * @throws UnsupportedOperationException if called on a store that does not declare it
     */
    default long quotaUsed(String stateKey, QuotaWindow window) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot read quota counters");
    }

    /**
     * Changes the quota counter of {@code stateKey} in the period {@code window} atomically against decisions (AWS's
     * UpdateUsage), records the new remaining quota in today's usage history, and returns the new counter.
     * Only for a store that declares {@link Capability#QUOTA_UPDATE}.
     *
     * @throws UnsupportedOperationException if called on a store that does not declare it
     */
    default long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot change quota counters");
    }

    /**
     * Applies a batch of allowance settlements, one per key, each atomically against decisions on that key, and
     * returns the answers in the same order. For every change: the units {@code spent} and {@code returned} stop
     * being outstanding; returned units go back to the plan bucket (up to its capacity), to the quota counter (while
     * the same period runs) and out of today's usage history; then up to {@code wanted} units are granted as
     * {@link AllowancePolicy#grant} says, taken from the plan bucket and counted in the quota and the history at once.
     *
     * <p>While units are outstanding, the bucket refills only up to its capacity less those units, so that the shared
     * tokens and every member's allowance together never exceed the burst: lease mode admits no more than the exact
     * path would. Outstanding units whose hold time passed are forgotten (their member is gone). A clustered store
     * should send the batch as one operation per owner member. Only for a store that declares {@link Capability#LEASES}.
     *
     * <p>Only decisions change a bucket's shape or move the quota counter to another period: a change made under another
     * shape of the plan throttle than the stored one (the plan changed while its member held units) gives its units
     * back to the bucket as it is and is granted nothing; one carrying another quota period moves no counter.
     *
     * @throws UnsupportedOperationException if called on a store that does not declare it
     * @throws UsageStoreUnavailableException if the store could not answer in time; nothing of the batch is known
     */
    default java.util.List<AllowanceGrant> settle(java.util.List<AllowanceChange> changes) {
        throw new UnsupportedOperationException(getClass().getName() + " grants no allowances");
    }

    /**
     * Called once by the engine that runs on this store, after it compiled its catalog: a clustered store may
     * share the key catalog from here ({@link StoreContext#replaceCatalog}, {@link StoreContext#useKeyDirectory}).
     * The default does nothing.
     */
    default void started(StoreContext context) {
    }

    /** How a store names the state of key {@code keyName} on plan {@code planName}: {@code keyName|planName}. */
    static String stateKey(String keyName, String planName) {
        return keyName + "|" + planName;
    }

    /**
     * How the engine names the state of a stage's bucket for all callers of one method ({@code method} normalized, like
     * {@code /pets/{}/GET}): it starts with a control character, so that no {@link #stateKey key's state} has the name.
     */
    static String stageStateKey(String api, String stage, String method) {
        return ANONYMOUS_PREFIX + "stage|" + api + "|" + stage + "|" + method;
    }

    /** How the engine names the state of a caller without a key, by its client {@code address}, on plan {@code planName}. */
    static String clientStateKey(String address, String planName) {
        return ANONYMOUS_PREFIX + "client|" + address + "|" + planName;
    }

    /**
     * Whether {@code stateKey} names state no API key owns (a stage bucket, a keyless client): a store keeps no usage
     * history for it once it is idle, so that memory follows active callers only.
     */
    static boolean anonymous(String stateKey) {
        return stateKey.startsWith(ANONYMOUS_PREFIX);
    }

    /** The first character of the state of stage buckets and keyless clients. */
    String ANONYMOUS_PREFIX = "\u0001";

    /**
     * What this store is, for start-up lines and status pages: {@code local}, {@code hazelcast}, or a wrapper's own
     * words ({@code hazelcast, lease mode every 100 ms}). The default is the class name less {@code UsageStore}, in
     * lower case.
     */
    default String kind() {
        return getClass().getSimpleName().replace("UsageStore", "").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * This store as {@code type}, or the store it wraps as {@code type} (lease mode wraps a clustered store), like
     * JDBC's {@code unwrap}: {@code engine.store().unwrap(HazelcastUsageStore.class)}.
     */
    default <T> java.util.Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
    }

    /**
     * Whether this store can answer now, for a readiness check ({@code usage-plans-microprofile}); quick, never
     * waiting for a cluster. The default: a store in this JVM, always answering.
     */
    default StoreHealth health() {
        return StoreHealth.LOCAL;
    }

    /**
     * How many key states this store holds (a key on a plan counts once), for a gauge; {@code -1} when it cannot tell
     * without waiting (the default).
     */
    default long activeKeys() {
        return -1;
    }

    /** Releases threads and connections; the default does nothing. */
    @Override
    default void close() {
    }
}
