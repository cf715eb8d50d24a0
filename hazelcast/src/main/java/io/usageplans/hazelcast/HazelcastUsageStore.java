package io.usageplans.hazelcast;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import io.usageplans.QuotaWindow;
import io.usageplans.UsagePlans;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * Throttle and quota state in a Hazelcast cluster: one map entry per key and plan ({@link KeyUsage}), decided by
 * one entry processor ({@link Decide}) on the partition owner, so one decision is one round trip, atomic, and
 * exact across members; synchronous backups keep acknowledged counts when a member dies. A call that does not
 * answer within the timeout throws {@link UsageStoreUnavailableException}, and the plan's fail mode decides.
 *
 * <p>Every member and client must register this module's compact serializers: {@link #configure(Config)},
 * {@link #configure(ClientConfig)}, or the class names in hazelcast.xml (see the README).
 */
public final class HazelcastUsageStore implements UsageStore {

    /** The map holding key state. */
    public static final String STATE_MAP = "usage-plans-state";
    /** The map holding the shared API keys. */
    public static final String KEYS_MAP = "usage-plans-keys";

    private final HazelcastInstance hazelcast;
    private final boolean ownsInstance;
    private final IMap<String, KeyUsage> state;
    private final String mapName;
    private final long timeoutMillis;
    private final int reportDays;
    private final boolean shareKeys;
    private final boolean callerSide;
    private volatile ClusterCatalog catalog;

    private HazelcastUsageStore(Builder builder) {
        this.hazelcast = builder.hazelcast;
        this.ownsInstance = builder.ownsInstance;
        this.state = hazelcast.getMap(builder.mapName);
        this.mapName = builder.mapName;
        this.timeoutMillis = builder.timeout.toMillis();
        this.reportDays = builder.reportDays;
        this.shareKeys = builder.shareKeys;
        this.callerSide = builder.callerSide;
    }

    public static Builder builder(HazelcastInstance hazelcast) {
        return new Builder(hazelcast);
    }

    /** Registers this module's compact serializers on a member's configuration; returns it. */
    public static Config configure(Config config) {
        for (CompactSerializer<?> serializer : Serializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        return config;
    }

    /** Registers this module's compact serializers on a client's configuration; returns it. */
    public static ClientConfig configure(ClientConfig config) {
        for (CompactSerializer<?> serializer : Serializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        return config;
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        Decide decide = new Decide(request.planBucket(), request.methodBucket(), request.quota(), request.nowNanos(), reportDays,
                request.cost());
        if (callerSide) {
            return decideOnCaller(request.stateKey(), decide);
        }
        return onOwner(request.stateKey(), decide);
    }

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        Decide original = new Decide(request.planBucket(), request.methodBucket(), request.quota(), request.nowNanos(),
                reportDays, request.cost());
        if (callerSide) {
            refundOnCaller(request.stateKey(), original, planBucket, methodBucket, quota);
        } else {
            onOwner(request.stateKey(), new Refund(original, planBucket, methodBucket, quota));
        }
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        KeyUsage usage = read(stateKey);
        return usage == null ? List.of() : usage.daily(fromEpochDay, toEpochDay);
    }

    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        KeyUsage usage = read(stateKey);
        return usage == null ? 0 : usage.quotaUsedIn(window.startMillis());
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        UpdateQuota change = new UpdateQuota(window, update, nowNanos, reportDays);
        if (!callerSide) {
            return onOwner(stateKey, change);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                KeyUsage current = state.get(stateKey);
                KeyUsage next = current == null ? new KeyUsage() : copy(current);
                long used = change.apply(next);
                long ttl = next.ttlMillis(nowNanos, window, reportDays);
                if (current == null ? state.putIfAbsent(stateKey, next, ttl, TimeUnit.MILLISECONDS) == null
                        : state.replace(stateKey, current, next)) {
                    if (current != null) {
                        state.setTtl(stateKey, ttl, TimeUnit.MILLISECONDS);
                    }
                    return used;
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        throw new UsageStoreUnavailableException("key state changed concurrently until the " + timeoutMillis + " ms timeout", null);
    }

    private KeyUsage read(String stateKey) {
        try {
            return state.getAsync(stateKey).toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UsageStoreUnavailableException("no answer from the Hazelcast cluster within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageStoreUnavailableException("interrupted while waiting for the Hazelcast cluster", e);
        } catch (ExecutionException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e.getCause(), e.getCause());
        }
    }

    /** Runs {@code processor} on the key's owner and waits at most the timeout; any failure is "unavailable". */
    private <R> R onOwner(String key, com.hazelcast.map.EntryProcessor<String, KeyUsage, R> processor) {
        try {
            return state.submitToKey(key, processor).toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UsageStoreUnavailableException("no answer from the Hazelcast cluster within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageStoreUnavailableException("interrupted while waiting for the Hazelcast cluster", e);
        } catch (ExecutionException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e.getCause(), e.getCause());
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
    }

    private void refundOnCaller(String key, Decide original, boolean planBucket, boolean methodBucket, boolean quota) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                KeyUsage current = state.get(key);
                if (current == null) {
                    return;
                }
                KeyUsage next = copy(current);
                next.refund(original.plan, original.method, original.quota, original.nowNanos, original.cost,
                        planBucket, methodBucket, quota);
                if (state.replace(key, current, next)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        throw new UsageStoreUnavailableException("key state changed concurrently until the " + timeoutMillis + " ms timeout", null);
    }

    /**
     * The fallback for clusters whose members cannot load this jar: read the entry, decide here, and write it back
     * only if nobody changed it meanwhile (compare-and-set on the serialized value, which members can store without
     * our classes). Costs a get and a replace (or put-if-absent) plus a TTL update per allowed request, i.e. 2 to 3
     * round trips, and retries when requests for the same key race.
     */
    private Consumption decideOnCaller(String key, Decide decide) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (true) {
                KeyUsage current = state.get(key);
                KeyUsage next = current == null ? new KeyUsage() : copy(current);
                KeyUsage.Outcome outcome = next.decide(decide.plan, decide.method, decide.quota, decide.nowNanos, reportDays, decide.cost);
                if (!outcome.changed()) {
                    return outcome.consumption();
                }
                long ttl = next.ttlMillis(decide.nowNanos, decide.quota, reportDays);
                if (current == null ? state.putIfAbsent(key, next, ttl, TimeUnit.MILLISECONDS) == null
                        : state.replace(key, current, next)) {
                    if (current != null) {
                        state.setTtl(key, ttl, TimeUnit.MILLISECONDS);
                    }
                    return outcome.consumption();
                }
                if (System.nanoTime() > deadline) {
                    throw new UsageStoreUnavailableException("key state changed concurrently until the " + timeoutMillis
                            + " ms timeout", null);
                }
            }
        } catch (UsageStoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
    }

    private static KeyUsage copy(KeyUsage from) {
        KeyUsage to = new KeyUsage();
        to.bucketIds = from.bucketIds.clone();
        to.capacities = from.capacities.clone();
        to.nanosToFill = from.nanosToFill.clone();
        to.tokens = from.tokens.clone();
        to.lastRefillNanos = from.lastRefillNanos.clone();
        to.quotaStartMillis = from.quotaStartMillis;
        to.quotaUsed = from.quotaUsed;
        to.usageDays = from.usageDays.clone();
        to.usageCounts = from.usageCounts.clone();
        to.usageQuotaUsed = from.usageQuotaUsed.clone();
        return to;
    }

    /** Shares the key catalog with the cluster, unless turned off with {@link Builder#shareKeys(boolean)}. */
    @Override
    public void started(UsagePlans engine) {
        if (shareKeys) {
            try {
                catalog = new ClusterCatalog(hazelcast.getMap(KEYS_MAP), engine);
                engine.useKeyDirectory(catalog);
            } catch (RuntimeException e) {
                System.getLogger(HazelcastUsageStore.class.getName()).log(System.Logger.Level.ERROR,
                        "usage-plans: could not share the key catalog with the cluster; this member uses its plan file's keys", e);
            }
        }
    }

    /** The cluster-wide key catalog, to add, disable or move keys at run time. */
    public ClusterCatalog catalog() {
        ClusterCatalog current = catalog;
        if (current == null) {
            throw new IllegalStateException("usage-plans: the key catalog is not shared (no engine started on this store, "
                    + "or shareKeys(false))");
        }
        return current;
    }

    /** The state of one key on one plan as the cluster holds it now, for reports and tests; null if none. */
    public KeyUsage usage(String keyName, String planName) {
        return state.get(keyName + "|" + planName);
    }

    /** How many keys (per plan) have state in the cluster. */
    public int size() {
        return state.size();
    }

    /** The name of the map holding key state. */
    public String mapName() {
        return mapName;
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    @Override
    public void close() {
        ClusterCatalog current = catalog;
        if (current != null) {
            current.close();
        }
        if (ownsInstance) {
            hazelcast.shutdown();
        }
    }

    /** Configures a {@link HazelcastUsageStore}. */
    public static final class Builder {
        private final HazelcastInstance hazelcast;
        private boolean ownsInstance;
        private String mapName = STATE_MAP;
        private Duration timeout = Duration.ofMillis(500);
        private int reportDays = 90;
        private boolean shareKeys = true;
        private boolean callerSide;

        private Builder(HazelcastInstance hazelcast) {
            this.hazelcast = Objects.requireNonNull(hazelcast, "hazelcast");
        }

        /** How long a request thread waits for the cluster before the plan's fail mode applies; 500 ms by default. */
        public Builder timeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + value);
            }
            this.timeout = value;
            return this;
        }

        /** Days of per-key daily usage kept for reports after the last use; 90 by default. */
        public Builder usageReportDays(int days) {
            if (days < 0) {
                throw new IllegalArgumentException("usageReportDays must be 0 or more, was " + days);
            }
            this.reportDays = days;
            return this;
        }

        /** The map for key state; configure its backups in your Hazelcast configuration (1 by default). */
        public Builder mapName(String value) {
            this.mapName = Objects.requireNonNull(value, "mapName");
            return this;
        }

        /** Whether keys are shared and changed cluster-wide (default); off, each member uses its own plan file's keys. */
        public Builder shareKeys(boolean value) {
            this.shareKeys = value;
            return this;
        }

        /**
         * Decide on this JVM with compare-and-set instead of an entry processor on the member: for clusters whose
         * members cannot have this jar. Same results; 2 to 3 round trips per allowed request instead of 1.
         */
        public Builder decideOnCaller(boolean value) {
            this.callerSide = value;
            return this;
        }

        /** Shut the instance down when the store is closed (an instance created for the store). */
        public Builder ownsInstance(boolean value) {
            this.ownsInstance = value;
            return this;
        }

        public HazelcastUsageStore build() {
            return new HazelcastUsageStore(this);
        }
    }
}
