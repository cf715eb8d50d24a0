package io.usageplans.admin;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.usageplans.Decision.Outcome;
import io.usageplans.DecisionCounters;

/**
 * Requests per second over the last hour, for the dashboard's live chart: once a second it reads the engine's
 * {@link DecisionCounters} and adds what changed to the current 10-second slot of a ring of {@value #SLOTS} slots
 * (allowed, throttled, quota exceeded, would refuse). Fixed memory, whatever the traffic; nothing on the request path.
 * The dashboard servlet runs one per application, from its start to its end.
 */
final class RequestRates implements AutoCloseable {

    /** Seconds per slot. */
    static final int SLOT_SECONDS = 10;
    /** Slots in the ring: an hour. */
    static final int SLOTS = 360;
    /** The series, in the order of each slot's counts. */
    static final String[] SERIES = {"allowed", "throttled", "quotaExceeded", "wouldRefuse"};

    private static final String ATTRIBUTE = RequestRates.class.getName();

    private final Supplier<long[]> totals;
    private final long[][] slots = new long[SLOTS][SERIES.length];
    private long[] last = new long[SERIES.length];
    private long ticks;
    private ScheduledExecutorService sampler;

    /** {@code counters}: the running engine's, or null while none runs. */
    static RequestRates counting(Supplier<DecisionCounters> counters) {
        return new RequestRates(() -> {
            DecisionCounters now = counters.get();
            return now == null ? null : totals(now);
        });
    }

    /** {@code totals}: the engine's counts so far, one per {@link #SERIES}, or null while no engine runs. */
    RequestRates(Supplier<long[]> totals) {
        this.totals = totals;
    }

    /**
     * Starts sampling once a second on a daemon thread of its own, counting from the engine's counters now; an engine
     * that starts later is counted from 0.
     */
    RequestRates start() {
        begin();
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "usage-plans-dashboard-rates");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(() -> {
            try {
                sample();
            } catch (RuntimeException e) { // a failed second must not end the sampling
                System.getLogger(RequestRates.class.getName()).log(System.Logger.Level.WARNING,
                        "usage-plans admin: could not sample the request rates", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Takes the counts now as the starting point. */
    synchronized RequestRates begin() {
        long[] now = totals.get();
        last = now == null ? new long[SERIES.length] : now;
        return this;
    }

    /** Reads the counters and adds what changed since the last second to the current slot. */
    synchronized void sample() {
        long[] now = totals.get();
        int slot = (int) ((ticks / SLOT_SECONDS) % SLOTS);
        if (ticks % SLOT_SECONDS == 0) {
            java.util.Arrays.fill(slots[slot], 0);
        }
        if (now == null) {
            now = new long[SERIES.length]; // no engine (yet): one that starts is counted from 0
        }
        for (int i = 0; i < now.length; i++) {
            slots[slot][i] += Math.max(0, now[i] - last[i]); // a restarted engine starts again at 0
        }
        last = now;
        ticks++;
    }

    /**
     * The last hour, oldest first: per slot, the requests per second of each series (the slot's count over its
     * seconds); the slot under way counts the seconds it has had. Slots before sampling began are 0.
     */
    synchronized double[][] perSecond() {
        double[][] result = new double[SLOTS][SERIES.length];
        if (ticks == 0) {
            return result;
        }
        long current = (ticks - 1) / SLOT_SECONDS;
        for (int i = 0; i < SLOTS; i++) {
            long slotNumber = current - (SLOTS - 1) + i;
            if (slotNumber < 0) {
                continue;
            }
            long seconds = slotNumber == current ? (ticks - 1) % SLOT_SECONDS + 1 : SLOT_SECONDS;
            long[] counts = slots[(int) (slotNumber % SLOTS)];
            for (int s = 0; s < SERIES.length; s++) {
                result[i][s] = (double) counts[s] / seconds;
            }
        }
        return result;
    }

    /** Requests counted per series over the whole ring. */
    synchronized long[] counted() {
        long[] sums = new long[SERIES.length];
        for (long[] slot : slots) {
            for (int s = 0; s < SERIES.length; s++) {
                sums[s] += slot[s];
            }
        }
        return sums;
    }

    private static long[] totals(DecisionCounters counters) {
        long[] totals = new long[SERIES.length];
        for (Map<Outcome, Long> plan : counters.byPlan().values()) {
            totals[0] += plan.getOrDefault(Outcome.ALLOWED, 0L);
            totals[1] += plan.getOrDefault(Outcome.THROTTLED, 0L);
            totals[2] += plan.getOrDefault(Outcome.QUOTA_EXCEEDED, 0L);
        }
        for (Map<Outcome, Long> plan : counters.wouldRefuseByPlan().values()) {
            for (long n : plan.values()) {
                totals[3] += n;
            }
        }
        return totals;
    }

    /** Puts this in the servlet context, where {@code GET stats/rates} finds it. */
    void publish(jakarta.servlet.ServletContext context) {
        context.setAttribute(ATTRIBUTE, this);
    }

    /** The sampler of this application, if its dashboard servlet runs. */
    static RequestRates of(jakarta.servlet.ServletContext context) {
        Object rates = context.getAttribute(ATTRIBUTE);
        return rates instanceof RequestRates r ? r : null;
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }
}
