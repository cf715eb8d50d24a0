package io.usageplans.hazelcast;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * Where a {@link HazelcastUsageStore} changes key state, chosen once when the store is built:
 * {@link OwnerSideStrategy} runs entry processors on the key's owner (one round trip per decision), and
 * {@link CallerSideStrategy} decides on the calling JVM with compare-and-set (for members that cannot load this jar).
 * Both keep one {@link KeyUsage} per key and plan in the same map, so that reports, quota reads and tests read either.
 */
abstract sealed class KeyStateStrategy permits OwnerSideStrategy, CallerSideStrategy {

    private static final Serializers.KeyUsageSerializer USAGE_SERIALIZER = new Serializers.KeyUsageSerializer();

    final HazelcastInstance hazelcast;
    final String mapName;
    final long timeoutMillis;
    final int reportDays;
    /**
     * The state map, found at the first call rather than when the store is built: a client that starts in the
     * background cannot create proxies until it has reached the cluster, and the application must start meanwhile.
     * Its values are KeyUsages, or compact GenericRecords on an instance without our serializers (caller side).
     */
    private volatile IMap<String, Object> map;

    KeyStateStrategy(HazelcastInstance hazelcast, String mapName, long timeoutMillis, int reportDays) {
        this.hazelcast = hazelcast;
        this.mapName = mapName;
        this.timeoutMillis = timeoutMillis;
        this.reportDays = reportDays;
    }

    /** Decides one request. */
    abstract Consumption tryConsume(String stateKey, Decide decide);

    /** Gives back what {@code original} took, for the limits named. */
    abstract void refund(String stateKey, Decide original, boolean planBucket, boolean methodBucket, boolean quota);

    /** AWS's UpdateUsage: changes the counter of period {@code window}; returns its new value. */
    abstract long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos);

    /** Settles allowances (lease mode): the grants in the order of {@code changes}. */
    abstract java.util.List<io.usageplans.spi.AllowanceGrant> settle(java.util.List<io.usageplans.spi.AllowanceChange> changes);

    /** Warms one partition the way requests will use it. */
    abstract CompletableFuture<?> touch(String key);

    /** Removes what {@link #touch} left, once it answered. */
    CompletableFuture<?> untouch(String key) {
        return CompletableFuture.completedFuture(null);
    }

    /** Decisions given up on (timed out) whose units came back when they arrived late; 0 where none can be late. */
    long lateGivenBack() {
        return 0;
    }

    long latePending() {
        return 0;
    }

    long lateNotGivenBack() {
        return 0;
    }

    /** The state map; while a client has not reached the cluster yet, the store is unavailable (the plan's fail mode). */
    final IMap<String, Object> map() {
        IMap<String, Object> current = map;
        if (current == null) {
            try {
                map = current = hazelcast.getMap(mapName);
            } catch (RuntimeException e) { // HazelcastClientOfflineException while a client connects in the background
                throw new UsageStoreUnavailableException("the Hazelcast cluster is not reachable yet: " + e.getMessage(), e);
            }
        }
        return current;
    }

    /** The state map typed for entry processors on {@link KeyUsage}s (an instance with our serializers). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    final IMap<String, KeyUsage> usages() {
        return (IMap) map();
    }

    /** The state of one key as the cluster holds it, read with the timeout; null if none. */
    final KeyUsage read(String stateKey) {
        return usageOf(await(() -> map().getAsync(stateKey), late -> { }));
    }

    /**
     * Starts a cluster call and waits at most the timeout for its answer; any failure is "unavailable". A call given
     * up on (timed out, interrupted) goes to {@code abandoned}, which may undo its effect when it completes.
     */
    final <R> R await(Supplier<CompletionStage<R>> call, Consumer<CompletableFuture<R>> abandoned) {
        CompletableFuture<R> pending;
        try {
            pending = call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        try {
            return pending.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandoned.accept(pending);
            throw new UsageStoreUnavailableException("no answer from the Hazelcast cluster within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            abandoned.accept(pending);
            Thread.currentThread().interrupt();
            throw new UsageStoreUnavailableException("interrupted while waiting for the Hazelcast cluster", e);
        } catch (ExecutionException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e.getCause(), e.getCause());
        }
    }

    /** A state-map value as a KeyUsage (null stays null). */
    static KeyUsage usageOf(Object value) {
        return GenericRecords.read(USAGE_SERIALIZER, KeyUsage.class, value);
    }

    /** A KeyUsage as the GenericRecord our serializer would write. */
    static Object record(KeyUsage usage) {
        return GenericRecords.write(USAGE_SERIALIZER, usage);
    }
}
