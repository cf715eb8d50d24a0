package io.usageplans.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.partition.PartitionService;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.StoreContext;
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
 * answer within the timeout throws {@link UsageStoreUnavailableException}, and the plan's fail mode decides; if
 * its decision still arrives and took units, they are given back, since the caller was told nothing was decided.
 * The engine's start warms the grid ({@link Builder#warmUp}), so that the first requests do not wait for it.
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
    /**
     * The state map, found at the first call rather than when the store is built: a client that starts in the background
     * cannot create proxies until it has reached the cluster, and the application must start meanwhile.
     */
    private volatile IMap<String, KeyUsage> state;
    /** The same map, whose values may be GenericRecords (see {@link #asRecords}). */
    private volatile IMap<String, Object> records;
    /** Set once the instance could not serialize a KeyUsage (no serializer of ours): the caller side stores records. */
    private volatile boolean asRecords;
    private final String mapName;
    private final long timeoutMillis;
    private final int reportDays;
    private final boolean shareKeys;
    private final boolean callerSide;
    private volatile ClusterCatalog catalog;
    private final long warmUpMillis;
    private final AtomicBoolean warmed = new AtomicBoolean();
    /** Decisions given up on whose result, or whose refund, is still on its way. */
    private final LongAdder latePending = new LongAdder();
    private final LongAdder lateGivenBack = new LongAdder();
    private final LongAdder lateNotGivenBack = new LongAdder();
    private final AtomicLong lastLateFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS - 1);

    private static final System.Logger LOG = System.getLogger(HazelcastUsageStore.class.getName());
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Keys of the entries that warm each partition; real state keys always contain a '|'. */
    private static final String WARM_UP_KEY = "usage-plans-warm-up-";
    /** Marks an instance some store has warmed, in its user context. */
    private static final String WARMED = HazelcastUsageStore.class.getName() + ".warmed";

    private HazelcastUsageStore(Builder builder) {
        this.hazelcast = builder.hazelcast;
        this.ownsInstance = builder.ownsInstance;
        this.mapName = builder.mapName;
        this.timeoutMillis = builder.timeout.toMillis();
        this.reportDays = builder.reportDays;
        this.shareKeys = builder.shareKeys;
        this.callerSide = builder.callerSide;
        this.warmUpMillis = builder.warmUp.toMillis();
    }

    /** The state map; while a client has not reached the cluster yet, the store is unavailable (the plan's fail mode). */
    private IMap<String, KeyUsage> state() {
        IMap<String, KeyUsage> map = state;
        if (map == null) {
            state = map = proxy();
        }
        return map;
    }

    private IMap<String, Object> records() {
        IMap<String, Object> map = records;
        if (map == null) {
            records = map = proxy();
        }
        return map;
    }

    private <V> IMap<String, V> proxy() {
        try {
            return hazelcast.getMap(mapName);
        } catch (RuntimeException e) { // HazelcastClientOfflineException while a client connects in the background
            throw new UsageStoreUnavailableException("the Hazelcast cluster is not reachable yet: " + e.getMessage(), e);
        }
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

    /** Usage history, quota reads and quota updates: every optional ability. */
    @Override
    public java.util.Set<Capability> capabilities() {
        return java.util.EnumSet.allOf(Capability.class);
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        Decide decide = new Decide(request.planBucket(), request.methodBucket(), request.quota(), request.nowNanos(), reportDays,
                request.cost());
        if (callerSide) {
            return decideOnCaller(request.stateKey(), decide);
        }
        String key = request.stateKey();
        return await(() -> state().submitToKey(key, decide), late -> giveBackWhenAllowed(key, decide, late));
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
                Object current = records().get(stateKey);
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
        return usageOf(await(() -> records().getAsync(stateKey), late -> { }));
    }

    /**
     * Runs {@code processor} on the key's owner and waits at most the timeout; any failure is "unavailable". A late
     * answer still applies: right for refunds and quota updates, which the caller wanted done anyway.
     */
    private <R> R onOwner(String key, com.hazelcast.map.EntryProcessor<String, KeyUsage, R> processor) {
        return await(() -> state().submitToKey(key, processor), late -> { });
    }

    /**
     * Starts a cluster call and waits at most the timeout for its answer; any failure is "unavailable". A call given
     * up on (timed out, interrupted) goes to {@code abandoned}, which may undo its effect when it completes.
     */
    private <R> R await(java.util.function.Supplier<CompletionStage<R>> call,
                        java.util.function.Consumer<CompletableFuture<R>> abandoned) {
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

    /**
     * The caller gave up on {@code decision} and answered "unavailable", so nothing may stay counted: when its
     * result arrives and it took units (allowed), they go back to the plan bucket, the method bucket and the quota.
     * Runs once per decision given up on, never for one answered in time; does not block the thread completing it.
     */
    private void giveBackWhenAllowed(String key, Decide decision, CompletableFuture<Consumption> late) {
        latePending.increment();
        late.whenComplete((consumption, failure) -> {
            if (consumption == null || consumption.verdict() != Consumption.Verdict.ALLOWED) {
                latePending.decrement(); // rejected or failed: it took nothing
                return;
            }
            CompletionStage<Boolean> refund;
            try {
                refund = state().submitToKey(key, new Refund(decision, true, true, true));
            } catch (RuntimeException e) {
                lateRefundFailed(e);
                return;
            }
            refund.whenComplete((done, refundFailure) -> {
                if (refundFailure != null) {
                    lateRefundFailed(refundFailure);
                } else {
                    lateGivenBack.increment();
                    latePending.decrement();
                }
            });
        });
    }

    private void lateRefundFailed(Throwable failure) {
        lateNotGivenBack.increment();
        latePending.decrement();
        long now = System.nanoTime();
        long last = lastLateFailureLog.get();
        if (now - last > LOG_INTERVAL_NANOS && lastLateFailureLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: a decision that answered after the {0} ms timeout (its request "
                    + "got the plan''s fail mode) could not give its units back: {1} (further such lines are suppressed for "
                    + "10 s; {2} so far)", timeoutMillis, failure, lateNotGivenBack.sum());
        }
    }

    /**
     * Decisions that answered after the timeout, whose request had already got the plan's fail mode, and that took
     * units: given back since this store started.
     */
    public long lateDecisionsGivenBack() {
        return lateGivenBack.sum();
    }

    /** Decisions given up on whose result (or whose giving back) has not arrived yet. */
    public long lateDecisionsPending() {
        return latePending.sum();
    }

    /** Late decisions whose units could not be given back (the cluster failed meanwhile); each is logged. */
    public long lateDecisionsNotGivenBack() {
        return lateNotGivenBack.sum();
    }

    private void refundOnCaller(String key, Decide original, boolean planBucket, boolean methodBucket, boolean quota) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                Object current = records().get(key);
                if (current == null) {
                    return;
                }
                KeyUsage next = copyOf(current);
                next.refund(original.plan, original.method, original.quota, original.nowNanos, original.cost,
                        planBucket, methodBucket, quota);
                if (records().replace(key, current, current instanceof KeyUsage ? next : record(next))) {
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
                Object current = records().get(key);
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
            boolean replaced = records().replace(key, current, current instanceof KeyUsage ? next : record(next));
            if (replaced) {
                records().setTtl(key, ttl, TimeUnit.MILLISECONDS);
            }
            return replaced;
        }
        if (!asRecords) {
            try {
                return records().putIfAbsent(key, next, ttl, TimeUnit.MILLISECONDS) == null;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
                System.getLogger(HazelcastUsageStore.class.getName()).log(System.Logger.Level.INFO, "usage-plans: the "
                        + "Hazelcast instance has no serializers of ours; key state is kept as compact GenericRecords");
            }
        }
        return records().putIfAbsent(key, record(next), ttl, TimeUnit.MILLISECONDS) == null;
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

    /**
     * Warms the grid once, then shares the key catalog with the cluster, unless turned off with
     * {@link Builder#shareKeys(boolean)}.
     */
    @Override
    public void started(StoreContext context) {
        warmUp();
        if (shareKeys) {
            try {
                catalog = new ClusterCatalog(hazelcast.getMap(KEYS_MAP), context);
                context.useKeyDirectory(catalog);
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

    /**
     * Makes the grid ready before the first request, at most {@link Builder#warmUp} long, once per instance: assigns the
     * partitions, waits for migrations after a join to end, and runs one decision on every partition (creating its
     * record store, replicating the serialization schemas, opening connections to owners and backups, loading and
     * compiling the code), then deletes those entries. Without it, a burst right after start waits for all of that
     * and times out. Logs what it did; a cluster that is not ready in time is reported, and start-up goes on.
     */
    void warmUp() {
        if (warmUpMillis == 0 || !warmed.compareAndSet(false, true)
                || hazelcast.getUserContext().putIfAbsent(WARMED, Boolean.TRUE) != null) {
            return; // warming is per instance: another store on it (another stage, another map) finds it warm
        }
        long start = System.nanoTime();
        long deadline = start + warmUpMillis * 1_000_000L;
        String cluster = "?";
        try {
            cluster = hazelcast.getConfig().getClusterName();
            PartitionService partitionService = hazelcast.getPartitionService();
            int partitions = partitionService.getPartitions().size(); // on a member, assigns them if nobody has yet
            if (partitions == 0) {
                LOG.log(System.Logger.Level.INFO, "usage-plans: Hazelcast cluster ''{0}'' not warmed: not connected yet", cluster);
                return;
            }
            List<String> keys = keyPerPartition(partitionService, partitions);
            awaitSafe(partitionService, deadline);
            List<CompletableFuture<?>> calls = new ArrayList<>(keys.size());
            for (String key : keys) {
                calls.add(touch(key));
            }
            int answered = 0;
            for (CompletableFuture<?> call : calls) {
                if (answers(call, deadline)) {
                    answered++;
                }
            }
            awaitSafe(partitionService, deadline);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (answered == partitions) {
                LOG.log(System.Logger.Level.INFO, "usage-plans: warmed Hazelcast cluster ''{0}'' ({1,choice,1#1 member|1<{1} "
                        + "members}, {2} partitions) in {3,number,#} ms", cluster, hazelcast.getCluster().getMembers().size(),
                        partitions, millis);
            } else {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: Hazelcast cluster ''{0}'' is not warm after {1,number,#} ms: "
                        + "{2} of {3} partitions answered; the first requests may wait for it "
                        + "(usageplans.hazelcast.warm-up-timeout)", cluster, millis, answered, partitions);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: Hazelcast cluster ''{0}'' not warmed: {1}; the first requests "
                    + "may wait for it", cluster, e.toString());
        }
    }

    /** One warm-up key owned by each partition, found by hashing candidates as the map does. */
    private static List<String> keyPerPartition(PartitionService partitionService, int partitions) {
        String[] keys = new String[partitions];
        int found = 0;
        for (int i = 0; found < partitions && i < partitions * 100; i++) {
            String key = WARM_UP_KEY + i;
            int id = partitionService.getPartition(key).getPartitionId();
            if (keys[id] == null) {
                keys[id] = key;
                found++;
            }
        }
        List<String> list = new ArrayList<>(found);
        for (String key : keys) {
            if (key != null) {
                list.add(key);
            }
        }
        return list;
    }

    /** The request path on one partition: a decision that writes an entry (and its backup), then its removal. */
    private CompletableFuture<?> touch(String key) {
        if (callerSide) { // the members may not have this jar: a read warms the partition and the connection
            return records().getAsync(key).toCompletableFuture();
        }
        Decide nothing = new Decide(null, null, null, 0, 0, 0);
        return state().submitToKey(key, nothing).thenCompose(done -> state().deleteAsync(key)).toCompletableFuture();
    }

    private static boolean answers(CompletableFuture<?> call, long deadline) {
        try {
            call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Waits, until {@code deadline} at most, for no migration to run and every backup to be in sync (members only). */
    private static void awaitSafe(PartitionService partitionService, long deadline) {
        try {
            while (!partitionService.isClusterSafe() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000L);
            }
        } catch (UnsupportedOperationException e) {
            // a client cannot tell; its calls go to the owners the members tell it about
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
        return usageOf(records().get(keyName + "|" + planName));
    }

    /** How many keys (per plan) have state in the cluster. */
    public int size() {
        return state().size();
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
        private Duration warmUp = Duration.ofSeconds(10);

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

        /**
         * How long the engine's start may wait to warm the grid (partitions assigned, migrations done, one decision
         * on every partition), so that the first requests do not time out; 10 s by default, zero skips it. A cluster
         * that is not warm by then is logged, and start-up goes on.
         */
        public Builder warmUp(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("warmUp must be zero or positive, was " + value);
            }
            this.warmUp = value;
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
