package io.usageplans.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
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

/**
 * Throttle and quota state in a Hazelcast cluster: one map entry per key and plan ({@link KeyUsage}), decided by
 * one entry processor ({@link Decide}) on the partition owner, so one decision is one round trip, atomic, and
 * exact across members; synchronous backups keep acknowledged counts when a member dies. A call that does not
 * answer within the timeout throws {@link io.usageplans.spi.UsageStoreUnavailableException}, and the plan's fail mode decides; if
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
    /** Owner side (entry processors) or caller side (compare-and-set), chosen once here. */
    private final KeyStateStrategy strategy;
    private final String mapName;
    private final boolean shareKeys;
    private volatile ClusterCatalog catalog;
    private final long warmUpMillis;
    private final AtomicBoolean warmed = new AtomicBoolean();
    /** A client's connection, from its lifecycle events; a member is always connected to its own cluster. */
    private final AtomicBoolean connected = new AtomicBoolean(true);

    private static final System.Logger LOG = System.getLogger(HazelcastUsageStore.class.getName());
    /** Keys of the entries that warm each partition; real state keys always contain a '|'. */
    private static final String WARM_UP_KEY = "usage-plans-warm-up-";
    /** Marks an instance some store has warmed, in its user context. */
    private static final String WARMED = HazelcastUsageStore.class.getName() + ".warmed";

    private HazelcastUsageStore(Builder builder) {
        this.hazelcast = builder.hazelcast;
        this.ownsInstance = builder.ownsInstance;
        this.mapName = builder.mapName;
        this.shareKeys = builder.shareKeys;
        this.warmUpMillis = builder.warmUp.toMillis();
        long timeoutMillis = builder.timeout.toMillis();
        this.strategy = builder.callerSide
                ? new CallerSideStrategy(hazelcast, mapName, timeoutMillis, builder.reportDays)
                : new OwnerSideStrategy(hazelcast, mapName, timeoutMillis, builder.reportDays);
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            switch (event.getState()) {
                case CLIENT_CONNECTED -> connected.set(true);
                case CLIENT_DISCONNECTED -> connected.set(false);
                default -> {
                    // members and starting clients: the member list tells
                }
            }
        });
    }

    public static Builder builder(HazelcastInstance hazelcast) {
        return new Builder(hazelcast);
    }

    /**
     * Registers this module's compact serializers on a member's configuration, and keeps the state map
     * ({@value #STATE_MAP}) in the {@code OBJECT} in-memory format unless its configuration names another format than
     * Hazelcast's default ({@code BINARY}); returns it. In OBJECT format a decision changes the stored state in place,
     * on the owner and on each backup, instead of deserializing and serializing the whole entry (its buckets and up to
     * {@link Builder#usageReportDays} days of history) twice per decision on each. To keep BINARY, set it on the map
     * configuration after this call.
     *
     * <p>On a machine with 2 processors or fewer it also sets {@value #RESPONSE_THREADS} to 0 unless the configuration
     * or a system property sets it: the IO thread that reads an answer completes its call itself, instead of handing
     * it to a response thread that then wakes the caller. Every exact decision and every backup acknowledgement is such
     * an answer; on 2 cores that hand-off was about a tenth of a clustered request's CPU (docs/benchmarks.md). Hazelcast
     * calls the setting experimental; set the property to 2 (its default) to keep the response threads.
     */
    public static Config configure(Config config) {
        return configure(config, Runtime.getRuntime().availableProcessors());
    }

    static Config configure(Config config, int processors) {
        for (CompactSerializer<?> serializer : Serializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        MapConfig state = config.getMapConfig(STATE_MAP);
        if (state.getInMemoryFormat() == InMemoryFormat.BINARY) {
            state.setInMemoryFormat(InMemoryFormat.OBJECT);
        }
        if (processors <= 2 && config.getProperty(RESPONSE_THREADS) == null && System.getProperty(RESPONSE_THREADS) == null) {
            config.setProperty(RESPONSE_THREADS, "0");
        }
        return config;
    }

    /** Hazelcast's count of the threads that complete remote calls (its default: 2). */
    static final String RESPONSE_THREADS = "hazelcast.operation.response.thread.count";

    /** Registers this module's compact serializers on a client's configuration; returns it. */
    public static ClientConfig configure(ClientConfig config) {
        for (CompactSerializer<?> serializer : Serializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        return config;
    }

    /** Usage history, quota reads and updates, allowances for lease mode: every optional ability. */
    @Override
    public java.util.Set<Capability> capabilities() {
        return java.util.EnumSet.allOf(Capability.class);
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        return strategy.tryConsume(request.stateKey(), decide(request));
    }

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        strategy.refund(request.stateKey(), decide(request), planBucket, methodBucket, quota);
    }

    private Decide decide(MeteringRequest request) {
        return new Decide(request.planBucket(), request.methodBucket(), request.quota(), request.nowNanos(),
                strategy.reportDays, request.cost());
    }

    @Override
    public List<io.usageplans.spi.AllowanceGrant> settle(List<io.usageplans.spi.AllowanceChange> changes) {
        return changes.isEmpty() ? List.of() : strategy.settle(changes);
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        KeyUsage usage = strategy.read(stateKey);
        return usage == null ? List.of() : usage.daily(fromEpochDay, toEpochDay);
    }

    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        KeyUsage usage = strategy.read(stateKey);
        return usage == null ? 0 : usage.quotaUsedIn(window.startMillis());
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        return strategy.updateQuota(stateKey, window, update, nowNanos);
    }

    /**
     * Decisions that answered after the timeout, whose request had already got the plan's fail mode, and that took
     * units: given back since this store started.
     */
    public long lateDecisionsGivenBack() {
        return strategy.lateGivenBack();
    }

    /** Decisions given up on whose result (or whose giving back) has not arrived yet. */
    public long lateDecisionsPending() {
        return strategy.latePending();
    }

    /** Late decisions whose units could not be given back (the cluster failed meanwhile); each is logged. */
    public long lateDecisionsNotGivenBack() {
        return strategy.lateNotGivenBack();
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
                catalog = new ClusterCatalog(hazelcast.getMap(KEYS_MAP), hazelcast.getMap(ClusterCatalog.PLANS_MAP), context);
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
            List<CompletableFuture<?>> removals = new ArrayList<>(keys.size());
            for (int i = 0; i < calls.size(); i++) {
                if (answers(calls.get(i), deadline)) {
                    answered++;
                    removals.add(strategy.untouch(keys.get(i)));
                }
            }
            for (CompletableFuture<?> removal : removals) {
                answers(removal, deadline);
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

    /** The request path on one partition: a decision that writes an entry (and its backup); removed once answered. */
    private CompletableFuture<?> touch(String key) {
        return strategy.touch(key);
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
        return KeyStateStrategy.usageOf(strategy.map().get(keyName + "|" + planName));
    }

    /** How many keys (per plan) have state in the cluster. */
    public int size() {
        return strategy.map().size();
    }

    /**
     * Whether the cluster can answer now: the instance runs, a client is connected (its lifecycle events say so) and
     * it sees members. Never waits for the cluster.
     */
    @Override
    public io.usageplans.spi.StoreHealth health() {
        try {
            if (!hazelcast.getLifecycleService().isRunning()) {
                return new io.usageplans.spi.StoreHealth(false, 0, "the Hazelcast instance is not running");
            }
            int members = hazelcast.getCluster().getMembers().size();
            if (!connected.get() || members == 0) {
                return new io.usageplans.spi.StoreHealth(false, connected.get() ? members : 0,
                        "not connected to the Hazelcast cluster");
            }
            return new io.usageplans.spi.StoreHealth(true, members, "");
        } catch (RuntimeException e) {
            return new io.usageplans.spi.StoreHealth(false, 0, "Hazelcast: " + e);
        }
    }

    /** The entries of the state map, when the cluster can answer; else -1 (never waits for a cluster that is away). */
    @Override
    public long activeKeys() {
        return health().answering() ? size() : -1;
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
