package io.usageplans.infinispan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.StoreContext;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * Throttle and quota state in an Infinispan cache: one entry per key and plan ({@link KeyUsage}, kept as a String),
 * changed by compare-and-set through a lane per key ({@link KeyLanes}): exact across members, plan bucket, method bucket
 * and quota decided together, all or nothing. The entry lives until its buckets are full again, its quota period is
 * over and its usage is reported (a lifespan set on every write). A call that does not answer within the timeout throws
 * {@link UsageStoreUnavailableException}, and the plan's fail mode decides; if its change is still written, what it
 * took is given back.
 *
 * <p>The caches are found on a cache manager (embedded, WildFly's, or the application's): {@value #STATE_CACHE} for
 * state, {@value #KEYS_CACHE} for the shared key catalog. Where the manager has no configuration of that name, the store
 * defines one: distributed (two owners, synchronous) for state, replicated for keys, local without a transport.
 */
public final class InfinispanUsageStore implements UsageStore {

    /** The cache holding key state. */
    public static final String STATE_CACHE = "usage-plans-state";
    /** The cache holding the shared API keys. */
    public static final String KEYS_CACHE = "usage-plans-keys";

    private static final System.Logger LOG = System.getLogger(InfinispanUsageStore.class.getName());

    private final Cache<String, String> state;
    private final Cache<String, String> keys;
    private final EmbeddedCacheManager manager;
    private final boolean ownsManager;
    private final boolean shareKeys;
    private final int reportDays;
    private final long timeoutMillis;
    private final KeyLanes lanes;
    private final LongAdder lateGivenBack = new LongAdder();
    private volatile InfinispanCatalog catalog;

    private InfinispanUsageStore(Builder builder) {
        this.manager = builder.manager;
        this.state = builder.state != null ? builder.state : cache(manager, builder.stateCache, CacheMode.DIST_SYNC);
        this.keys = builder.shareKeys ? cache(manager, builder.keysCache, CacheMode.REPL_SYNC) : null;
        this.ownsManager = builder.ownsManager;
        this.shareKeys = builder.shareKeys;
        this.reportDays = builder.reportDays;
        this.timeoutMillis = builder.timeout.toMillis();
        this.lanes = new KeyLanes(state, timeoutMillis, reportDays);
    }

    /** A store on the caches of {@code manager} (defined here where the manager has none of those names). */
    public static Builder builder(EmbeddedCacheManager manager) {
        return new Builder(Objects.requireNonNull(manager, "manager"), null);
    }

    /** A store on the given state cache; the key catalog uses {@value #KEYS_CACHE} of the same cache manager. */
    public static Builder builder(Cache<String, String> stateCache) {
        return new Builder(Objects.requireNonNull(stateCache, "stateCache").getCacheManager(), stateCache);
    }

    /**
     * The cache {@code name} of {@code manager}; where the manager has no configuration of that name, one is defined:
     * {@code clustered} where the manager has a transport, local otherwise.
     */
    static Cache<String, String> cache(EmbeddedCacheManager manager, String name, CacheMode clustered) {
        if (manager.getCacheConfiguration(name) == null) {
            ConfigurationBuilder config = new ConfigurationBuilder();
            // Java objects (Strings), stored as they are; WildFly's container also needs every cache to name its encoding
            config.encoding().mediaType("application/x-java-object");
            if (manager.getCacheManagerConfiguration().isClustered()) {
                config.clustering().cacheMode(clustered);
            }
            try {
                manager.defineConfiguration(name, config.build());
            } catch (RuntimeException e) {
                if (manager.getCacheConfiguration(name) == null) { // not a concurrent definition of the same name
                    throw e;
                }
            }
        }
        return manager.getCache(name);
    }

    /**
     * Whether the state cache can answer now, for the readiness check: it runs, and its partition is available (a node
     * cut off from the owners of its keys is DEGRADED under a partition-handling policy). Never waits for the cluster.
     */
    @Override
    public io.usageplans.spi.StoreHealth health() {
        try {
            org.infinispan.AdvancedCache<String, String> cache = state.getAdvancedCache();
            java.util.List<?> members = cache.getCacheManager().getMembers();
            int seen = members == null ? 1 : members.size(); // null: a local cache manager, no cluster
            if (!cache.getStatus().allowInvocations()) {
                return new io.usageplans.spi.StoreHealth(false, 0, "the Infinispan cache '" + cache.getName() + "' is "
                        + cache.getStatus());
            }
            if (cache.getAvailability() != org.infinispan.partitionhandling.AvailabilityMode.AVAILABLE) {
                return new io.usageplans.spi.StoreHealth(false, seen, "the Infinispan cache '" + cache.getName() + "' is "
                        + cache.getAvailability() + " (cut off from the owners of some keys)");
            }
            return new io.usageplans.spi.StoreHealth(true, seen, "");
        } catch (RuntimeException e) {
            return new io.usageplans.spi.StoreHealth(false, 0, "Infinispan: " + e);
        }
    }

    /**
     * The entries of the state cache across the grid (a key on a plan, a stage bucket, a keyless client count once each),
     * when the cache answers; else -1, without waiting on a grid that is away.
     */
    @Override
    public long activeKeys() {
        return health().answering() ? state.size() : -1;
    }

    /** Usage history, quota reads and updates, allowances for lease mode: every optional ability. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        KeyLanes.Change<Consumption> change = lanes.change(usage -> {
            KeyUsage.Outcome outcome = usage.decide(request.planBucket(), request.methodBucket(), request.quota(),
                    request.nowNanos(), reportDaysOf(request.stateKey()), request.cost());
            return new KeyLanes.Step<>(outcome.consumption(), outcome.changed());
        }, request.nowNanos(), request.quota(), late -> {
            if (late.verdict() == Consumption.Verdict.ALLOWED) {
                lateGivenBack.increment(); // the caller got the fail mode: nothing of it may count
                giveBack(request, true, true, true, true);
            }
        });
        return lanes.await(lanes.submit(request.stateKey(), change));
    }

    /** Stage buckets and keyless clients keep no usage history, so that their entries expire once idle. */
    private int reportDaysOf(String stateKey) {
        return UsageStore.anonymous(stateKey) ? 0 : reportDays;
    }

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        giveBack(request, planBucket, methodBucket, quota, false);
    }

    private void giveBack(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota, boolean background) {
        java.util.function.Function<KeyUsage, KeyLanes.Step<Boolean>> apply = usage -> {
            usage.refund(request.planBucket(), request.methodBucket(), request.quota(), request.nowNanos(), request.cost(),
                    planBucket, methodBucket, quota);
            return new KeyLanes.Step<>(Boolean.TRUE, true);
        };
        if (background) {
            lanes.submit(request.stateKey(), lanes.background(apply, request.nowNanos(), request.quota()));
        } else {
            lanes.await(lanes.submit(request.stateKey(), lanes.change(apply, request.nowNanos(), request.quota(), null)));
        }
    }

    /**
     * One change per key through its lane, all under way at once, then waits for all of them within one timeout.
     * A grant written after the wait gave up goes back at once.
     */
    @Override
    public List<AllowanceGrant> settle(List<AllowanceChange> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        List<KeyLanes.Change<AllowanceGrant>> pending = new ArrayList<>(changes.size());
        for (AllowanceChange change : changes) {
            pending.add(lanes.submit(change.stateKey(), lanes.change(usage -> new KeyLanes.Step<>(usage.settle(change, reportDaysOf(change.stateKey())),
                    true), change.nowNanos(), change.quota(), late -> {
                        if (late.granted() > 0) {
                            AllowanceChange back = new AllowanceChange(change.stateKey(), change.planBucket(), change.quota(),
                                    change.nowNanos(), 0, late.granted(), 0, 0);
                            lanes.submit(back.stateKey(), lanes.background(usage -> new KeyLanes.Step<>(usage.settle(back, reportDaysOf(back.stateKey())),
                                    true), back.nowNanos(), back.quota()));
                        }
                    })));
        }
        List<AllowanceGrant> grants = new ArrayList<>(changes.size());
        UsageStoreUnavailableException failure = null;
        for (KeyLanes.Change<AllowanceGrant> change : pending) {
            try {
                grants.add(lanes.await(change));
            } catch (UsageStoreUnavailableException e) {
                failure = e; // wait for the others too, so that none is left half known
            }
        }
        if (failure != null) {
            throw failure;
        }
        return grants;
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        KeyUsage usage = lanes.read(stateKey);
        return usage == null ? List.of() : usage.daily(fromEpochDay, toEpochDay);
    }

    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        KeyUsage usage = lanes.read(stateKey);
        return usage == null ? 0 : usage.quotaUsedIn(window.startMillis());
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        return lanes.await(lanes.submit(stateKey, lanes.change(usage -> new KeyLanes.Step<>(
                usage.updateQuota(window, update, nowNanos, reportDaysOf(stateKey)), true), nowNanos, window, null)));
    }

    /** Shares the key catalog with the cluster, unless turned off with {@link Builder#shareKeys(boolean)}. */
    @Override
    public void started(StoreContext context) {
        if (shareKeys) {
            try {
                catalog = new InfinispanCatalog(keys, context);
                context.useKeyDirectory(catalog);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "usage-plans: could not share the key catalog with the Infinispan cluster; "
                        + "this member uses its plan file's keys", e);
            }
        }
    }

    /** The cluster-wide key catalog, to add, disable or move keys at run time. */
    public InfinispanCatalog catalog() {
        InfinispanCatalog current = catalog;
        if (current == null) {
            throw new IllegalStateException("usage-plans: the key catalog is not shared (no engine started on this store, "
                    + "or shareKeys(false))");
        }
        return current;
    }

    /** The state of one key on one plan as the cache holds it now, for reports and tests; null if none. */
    public KeyUsage usage(String keyName, String planName) {
        return lanes.read(UsageStore.stateKey(keyName, planName));
    }

    /**
     * Decisions that were written after the timeout, whose request had already got the plan's fail mode, and that took
     * units: given back since this store started.
     */
    public long lateDecisionsGivenBack() {
        return lateGivenBack.sum();
    }

    /**
     * Conditional writes of key state this store made: fewer than the changes it decided when a key's concurrent
     * requests on this node went in one write.
     */
    public long writes() {
        return lanes.writes.sum();
    }

    /** Conditional writes that lost to another member's write and were applied again to what it wrote. */
    public long conflicts() {
        return lanes.conflicts.sum();
    }

    /** The cache holding key state. */
    public Cache<String, String> stateCache() {
        return state;
    }

    /** The cache manager the caches belong to. */
    public EmbeddedCacheManager cacheManager() {
        return manager;
    }

    @Override
    public String kind() {
        return "infinispan";
    }

    @Override
    public void close() {
        InfinispanCatalog current = catalog;
        if (current != null) {
            current.close();
        }
        if (ownsManager) {
            manager.stop();
        }
    }

    /** How to build a store; every setting has a default. */
    public static final class Builder {
        private final EmbeddedCacheManager manager;
        private final Cache<String, String> state;
        private String stateCache = STATE_CACHE;
        private String keysCache = KEYS_CACHE;
        private Duration timeout = Duration.ofMillis(500);
        private int reportDays = 90;
        private boolean shareKeys = true;
        private boolean ownsManager;

        private Builder(EmbeddedCacheManager manager, Cache<String, String> state) {
            this.manager = manager;
            this.state = state;
        }

        /** The state cache's name (default {@value #STATE_CACHE}); ignored for a store built on a given cache. */
        public Builder stateCache(String name) {
            this.stateCache = requireName(name, "stateCache");
            return this;
        }

        /** The keys cache's name (default {@value #KEYS_CACHE}). */
        public Builder keysCache(String name) {
            this.keysCache = requireName(name, "keysCache");
            return this;
        }

        /** How long a request waits for the cache before the plan's fail mode applies (default 500 ms). */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Days of per-key usage kept for reports after the last use (default 90; 0 keeps none). */
        public Builder usageReportDays(int days) {
            if (days < 0) {
                throw new IllegalArgumentException("usageReportDays must be 0 or more, was " + days);
            }
            this.reportDays = days;
            return this;
        }

        /** Whether the store shares the key catalog with the cluster (default true). */
        public Builder shareKeys(boolean share) {
            this.shareKeys = share;
            return this;
        }

        /** Whether closing the store stops the cache manager (default false: the application or server owns it). */
        public Builder ownsCacheManager(boolean owns) {
            this.ownsManager = owns;
            return this;
        }

        public InfinispanUsageStore build() {
            return new InfinispanUsageStore(this);
        }

        private static String requireName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return name;
        }
    }
}
