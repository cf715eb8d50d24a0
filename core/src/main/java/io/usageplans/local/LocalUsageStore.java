package io.usageplans.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;

/**
 * The in-JVM store: one {@link KeyState} per key and plan in a concurrent map, each guarded by its own lock
 * (no global lock), with Bucket4j local buckets for throttles and a counter per quota period. State that is
 * idle (buckets full again, quota period over) is evicted, so memory follows active keys.
 */
public final class LocalUsageStore implements UsageStore {

    private static final System.Logger LOG = System.getLogger(LocalUsageStore.class.getName());

    private final ConcurrentHashMap<String, KeyState> states = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService sweeper;

    private LocalUsageStore(Clock clock, Duration sweepInterval) {
        this.clock = Objects.requireNonNull(clock, "clock");
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
        return new LocalUsageStore(clock, Duration.ofMinutes(1));
    }

    /** A store that evicts idle state every {@code sweepInterval}, or only when {@link #evictIdle()} is called if it is zero. */
    public static LocalUsageStore create(Clock clock, Duration sweepInterval) {
        return new LocalUsageStore(clock, sweepInterval);
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        String stateKey = request.stateKey();
        while (true) {
            KeyState state = states.get(stateKey);
            if (state == null) {
                state = states.computeIfAbsent(stateKey, KeyState::new);
            }
            synchronized (state) {
                if (!state.evicted) {
                    return state.consume(request);
                }
            }
            // evicted between lookup and lock: the sweeper removed it, take the fresh one
        }
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
                    evicted++;
                }
            }
        }
        return evicted;
    }

    /** How many keys (per plan) have state now. */
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
