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
import com.hazelcast.nio.serialization.HazelcastSerializationException;
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
 * {@link #configure(ClientConfig)}, or the class names in hazelcast.xml (see the README). Deciding on the caller
 * ({@link Builder#decideOnCaller}) copes without them, with an instance whose configuration is not ours (an
 * application server's, like Payara's): it then keeps the state as compact GenericRecords ({@link GenericRecords}).
 */
public final class HazelcastUsageStore implements UsageStore {

    /** The map holding key state. */
    public static final String STATE_MAP = "usage-plans-state";
    /** The map holding the shared API keys. */
    public static final String KEYS_MAP = "usage-plans-keys";

    private final HazelcastInstance hazelcast;
    private final boolean ownsInstance;
    private final IMap<String, KeyUsage> state;
    /** The same map, whose values may be GenericRecords (see {@link #asRecords}). */
    private final IMap<String, Object> records;
    /** Set once the instance could not serialize a KeyUsage (no serializer of ours): the caller side stores records. */
    private volatile boolean asRecords;
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
        this.records = hazelcast.getMap(builder.mapName);
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
                Object current = records.get(stateKey);
                KeyUsage next = current == null ? new KeyUsage() : copyOf(current);
                long used = change.apply(next);
                if (compareAndSet(stateKey, current, next, next.ttlMillis(nowNanos, window, reportDays))) {
                    return used;
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        throw new UsageStoreUnavailableException("key state changed concurrently until the " + timeoutMillis + " ms timeout", null);
    }

    private KeyUsage read(String stateKey) {
        return usageOf(await(() -> records.getAsync(stateKey)));
    }

    /** Runs {@code processor} on the key's owner and waits at most the timeout; any failure is "unavailable". */
    private <R> R onOwner(String key, com.hazelcast.map.EntryProcessor<String, KeyUsage, R> processor) {
        return await(() -> state.submitToKey(key, processor));
    }

    /** Starts a cluster call and waits at most the timeout for its answer; any failure is "unavailable". */
    private <R> R await(java.util.function.Supplier<java.util.concurrent.CompletionStage<R>> call) {
        try {
            return call.get().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
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
                Object current = records.get(key);
                if (current == null) {
                    return;
                }
                KeyUsage next = copyOf(current);
                next.refund(original.plan, original.method, original.quota, original.nowNanos, original.cost,
                        planBucket, methodBucket, quota);
                if (records.replace(key, current, current instanceof KeyUsage ? next : record(next))) {
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
                Object current = records.get(key);
                KeyUsage next = current == null ? new KeyUsage() : copyOf(current);
                KeyUsage.Outcome outcome = next.decide(decide.plan, decide.method, decide.quota, decide.nowNanos, reportDays, decide.cost);
                if (!outcome.changed()) {
                    return outcome.consumption();
                }
                if (compareAndSet(key, current, next, next.ttlMillis(decide.nowNanos, decide.quota, reportDays))) {
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

    /**
     * Puts {@code next} where {@code current} (null: no entry) still is, in the form the entry has: a KeyUsage, or a
     * GenericRecord on an instance without our serializers, which fails to serialize a KeyUsage the first time.
     */
    private boolean compareAndSet(String key, Object current, KeyUsage next, long ttl) {
        if (current != null) {
            boolean replaced = records.replace(key, current, current instanceof KeyUsage ? next : record(next));
            if (replaced) {
                records.setTtl(key, ttl, TimeUnit.MILLISECONDS);
            }
            return replaced;
        }
        if (!asRecords) {
            try {
                return records.putIfAbsent(key, next, ttl, TimeUnit.MILLISECONDS) == null;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
                System.getLogger(HazelcastUsageStore.class.getName()).log(System.Logger.Level.INFO, "usage-plans: the "
                        + "Hazelcast instance has no serializers of ours; key state is kept as compact GenericRecords");
            }
        }
        return records.putIfAbsent(key, record(next), ttl, TimeUnit.MILLISECONDS) == null;
    }

    private static final Serializers.KeyUsageSerializer USAGE_SERIALIZER = new Serializers.KeyUsageSerializer();

    /** A state-map value as a KeyUsage (null stays null). */
    private static KeyUsage usageOf(Object value) {
        return GenericRecords.read(USAGE_SERIALIZER, KeyUsage.class, value);
    }

    /** A KeyUsage to change, from a state-map value. */
    private static KeyUsage copyOf(Object value) {
        return value instanceof KeyUsage usage ? copy(usage) : usageOf(value);
    }

    private static Object record(KeyUsage usage) {
        return GenericRecords.write(USAGE_SERIALIZER, usage);
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
            } catch (HazelcastSerializationException e) {
                // an instance configured by someone else (an application server's) without our serializers
                System.getLogger(HazelcastUsageStore.class.getName()).log(System.Logger.Level.WARNING,
                        "usage-plans: keys are not shared with the cluster, because its instance has no usage-plans "
                        + "serializers ({0}); each member uses its plan file''s keys, and key changes made through the admin "
                        + "API apply to this member only. Register them with HazelcastUsageStore.configure(...) or in "
                        + "hazelcast.xml to share keys.", e.getMessage());
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
        return usageOf(records.get(keyName + "|" + planName));
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
