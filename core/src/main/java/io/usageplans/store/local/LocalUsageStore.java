package io.usageplans.store.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;

/**
 * The in-JVM store: one {@link KeyState} per key and plan in a concurrent map, each guarded by its own lock
 * (no global lock), with Bucket4j local buckets for throttles and a counter per quota period. State that is
 * idle (buckets full again, quota period over) is evicted, so memory follows active keys.
 */
public final class LocalUsageStore implements UsageStore {

    private static final System.Logger LOG = System.getLogger(LocalUsageStore.class.getName());

    /** Days of daily usage kept per key unless configured otherwise. */
    public static final int DEFAULT_REPORT_DAYS = 90;

    private final ConcurrentHashMap<String, KeyState> states = new ConcurrentHashMap<>();
    private final BucketShapes shapes = new BucketShapes();
    /** The daily usage of keys whose buckets and quota were evicted as idle, until it is older than the retention. */
    private final ConcurrentHashMap<String, long[]> retiredHistory = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService sweeper;
    private final int reportDays;
    private final java.util.function.Function<String, KeyState> newState;

    private LocalUsageStore(Clock clock, Duration sweepInterval, int reportDays) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (reportDays < 0) {
            throw new IllegalArgumentException("reportDays must be 0 or more, was " + reportDays);
        }
        this.reportDays = reportDays;
        this.newState = stateKey -> new KeyState(retiredHistory.isEmpty() ? null : retiredHistory.remove(stateKey), this.reportDays);
        if (sweepInterval == null || sweepInterval.isZero() || sweepInterval.isNegative()) {
            this.sweeper = null;
        } else {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "usage-plans-local-store-sweeper");
                thread.setDaemon(true);
                return thread;
            });
            long millis = sweepInterval.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** A store that evicts idle state every minute on a daemon thread, reading time from {@code clock}. */
    public static LocalUsageStore create(Clock clock) {
        return new LocalUsageStore(clock, Duration.ofMinutes(1), DEFAULT_REPORT_DAYS);
    }

    /** A store that evicts idle state every {@code sweepInterval}, or only when {@link #evictIdle()} is called if it is zero. */
    public static LocalUsageStore create(Clock clock, Duration sweepInterval) {
        return new LocalUsageStore(clock, sweepInterval, DEFAULT_REPORT_DAYS);
    }

    /** As {@link #create(Clock, Duration)}, keeping {@code reportDays} days of daily usage per key (0 keeps none). */
    public static LocalUsageStore create(Clock clock, Duration sweepInterval, int reportDays) {
        return new LocalUsageStore(clock, sweepInterval, reportDays);
    }

    /** Usage history, quota reads and updates, allowances: every optional ability. */
    @Override
    public java.util.Set<Capability> capabilities() {
        return java.util.EnumSet.allOf(Capability.class);
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        // kept small, with one answer object made here: inlined into the engine, the JIT keeps the request and the
        // answer off the heap (the decision copies the answer's numbers)
        String stateKey = request.stateKey();
        BucketSpec plan = request.planBucket();
        BucketSpec method = request.methodBucket();
        long now = request.nowNanos();
        long cost = request.cost();
        while (true) {
            KeyState state = states.get(stateKey);
            if (state == null) {
                state = newState(stateKey);
            }
            synchronized (state) {
                if (!state.evicted) {
                    Consumption.Verdict verdict = state.consume(plan, method, request.quota(), now, cost, shapes);
                    return state.answer(verdict, plan, method, now, cost);
                }
            }
            // evicted between lookup and lock: the sweeper removed it, take the fresh one
        }
    }

    private KeyState newState(String stateKey) {
        return states.computeIfAbsent(stateKey, newState);
    }

    @Override
    public List<AllowanceGrant> settle(List<AllowanceChange> changes) {
        AllowanceGrant[] grants = new AllowanceGrant[changes.size()];
        for (int i = 0; i < grants.length; i++) {
            AllowanceChange change = changes.get(i);
            while (grants[i] == null) {
                KeyState state = states.computeIfAbsent(change.stateKey(), newState);
                synchronized (state) {
                    if (!state.evicted) {
                        grants[i] = state.settle(change, shapes);
                    }
                }
            }
        }
        return List.of(grants);
    }

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        KeyState state = states.get(request.stateKey());
        if (state != null) {
            synchronized (state) {
                if (!state.evicted) {
                    state.refund(request, planBucket, methodBucket, quota);
                }
            }
        }
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        KeyState state = states.get(stateKey);
        if (state != null) {
            synchronized (state) {
                if (!state.evicted) {
                    return History.read(state.history, fromEpochDay, toEpochDay);
                }
            }
        }
        long[] retired = retiredHistory.get(stateKey);
        return retired == null ? List.of() : History.read(retired, fromEpochDay, toEpochDay);
    }

    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        KeyState state = states.get(stateKey);
        if (state == null) {
            return 0;
        }
        synchronized (state) {
            return state.evicted ? 0 : state.quotaUsed(window);
        }
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        while (true) {
            KeyState state = states.computeIfAbsent(stateKey, newState);
            synchronized (state) {
                if (!state.evicted) {
                    return state.updateQuota(window, update, nowNanos);
                }
            }
        }
    }

    /** Removes the state of keys whose buckets are full and whose quota period is over; returns how many. */
    public int evictIdle() {
        Instant now = clock.instant();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        int evicted = 0;
        for (Iterator<Map.Entry<String, KeyState>> it = states.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, KeyState> entry = it.next();
            KeyState state = entry.getValue();
            synchronized (state) {
                if (state.idleAfterNanos <= nowNanos) {
                    state.evicted = true;
                    it.remove();
                    if (History.lastDay(state.history) >= today(nowNanos) - reportDays) {
                        if (!UsageStore.anonymous(entry.getKey())) { // stage buckets, keyless clients: forgotten
                            retiredHistory.put(entry.getKey(), state.history);
                        }
                    }
                    evicted++;
                }
            }
        }
        long oldestKept = today(nowNanos) - reportDays;
        retiredHistory.values().removeIf(history -> History.lastDay(history) < oldestKept);
        return evicted;
    }

    private static long today(long nowNanos) {
        return Math.floorDiv(Math.floorDiv(nowNanos, 1_000_000L), 86_400_000L);
    }

    /** How many keys (per plan) have state now. */
    @Override
    public long activeKeys() {
        return size();
    }

    public int size() {
        return states.size();
    }

    private void sweepQuietly() {
        try {
            int evicted = evictIdle();
            if (evicted > 0) {
                LOG.log(System.Logger.Level.DEBUG, "usage-plans: evicted idle state of {0} keys, {1} remain", evicted, states.size());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: sweeping idle key state failed", e);
        }
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
