package io.usageplans.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The rejection lines, bounded so that a flood of bad requests cannot fill a disk: per reason (each forbidden reason,
 * the method throttle, the plan throttle, the quota), the first {@link #FULL_LINES} rejections of each interval are
 * logged in full and the rest only counted, then summed up in one line once the interval is over. At most
 * {@code FULL_LINES + 1} lines per reason and interval, whatever arrives. Intervals follow the engine's clock.
 */
final class RejectionLog {

    /** Rejections logged one by one per reason and interval. */
    public static final int FULL_LINES = 10;

    /** The interval, one minute. */
    public static final long INTERVAL_MILLIS = 60_000;

    private final System.Logger logger;
    private final Clock clock;
    private final String stage;
    private final Window[] windows;
    /** When the earliest interval with uncounted-for rejections ends; any rejection after it writes the due summaries. */
    private final AtomicLong nextSummaryAt = new AtomicLong(Long.MAX_VALUE);

    /** How a summary names the rejections of one reason: {@code 403 Forbidden} and {@code unknown API key}. */
    public record Reason(String status, String text) {
    }

    /** @param reasons the reasons, at the index {@link #log} is called with */
    public RejectionLog(System.Logger logger, Clock clock, String stage, List<Reason> reasons) {
        this.logger = logger;
        this.clock = clock;
        this.stage = stage;
        this.windows = new Window[reasons.size()];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new Window(reasons.get(i).status(), reasons.get(i).text());
        }
    }

    /** Whether the logger writes rejections at all; when it does not, nothing is counted either. */
    public boolean enabled() {
        return logger.isLoggable(System.Logger.Level.INFO);
    }

    /**
     * Logs one rejection for reason {@code reason}: in full (the line is only built then), or counted for the
     * interval's summary. Writes the summaries of intervals that are over first.
     */
    public void log(int reason, Supplier<String> line) {
        long now = clock.millis();
        Window w = windows[reason];
        String previous = null;
        boolean full;
        boolean firstCounted = false;
        long due;
        synchronized (w) {
            if (w.start == Long.MIN_VALUE || now < w.start || now - w.start >= INTERVAL_MILLIS) {
                previous = w.summary(stage, w.start + INTERVAL_MILLIS);
                w.start = now;
                w.logged = 0;
                w.counted = 0;
            }
            full = w.logged < FULL_LINES;
            if (full) {
                w.logged++;
            } else {
                firstCounted = w.counted++ == 0;
            }
            due = w.start + INTERVAL_MILLIS;
        }
        if (previous != null) {
            logger.log(System.Logger.Level.INFO, previous);
        }
        if (firstCounted) {
            nextSummaryAt.accumulateAndGet(due, Math::min);
        }
        if (now >= nextSummaryAt.get()) {
            writeDue(now, false);
        }
        if (full) {
            logger.log(System.Logger.Level.INFO, line.get());
        }
    }

    /** Writes the summaries of rejections counted so far, also of intervals not yet over (the engine is closing). */
    public void flush() {
        writeDue(clock.millis(), true);
    }

    private void writeDue(long now, boolean all) {
        nextSummaryAt.set(Long.MAX_VALUE);
        for (Window w : windows) {
            String summary = null;
            synchronized (w) {
                if (w.counted > 0) {
                    long end = w.start + INTERVAL_MILLIS;
                    if (all || now < w.start || now >= end) {
                        summary = w.summary(stage, Math.min(end, Math.max(now, w.start + 1)));
                        w.start = Long.MIN_VALUE; // the next rejection opens a new interval, logged in full again
                        w.logged = 0;
                        w.counted = 0;
                    } else {
                        nextSummaryAt.accumulateAndGet(end, Math::min);
                    }
                }
            }
            if (summary != null) {
                logger.log(System.Logger.Level.INFO, summary);
            }
        }
    }

    /** One reason's current interval. Guarded by its own monitor. */
    private static final class Window {
        final String status;
        final String reason;
        long start = Long.MIN_VALUE;
        int logged;
        long counted;

        Window(String status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        /** The summary of the rejections counted from {@code start} to {@code end}, or null when there were none. */
        String summary(String stage, long end) {
            if (counted == 0) {
                return null;
            }
            long seconds = Math.max(1, (end - start + 999) / 1000);
            return "usage-plans: " + status + " for " + counted + " more request" + (counted == 1 ? "" : "s") + " on stage "
                    + stage + ": " + reason + ", in the " + seconds + " s from " + Instant.ofEpochMilli(start)
                    + " (only the first " + FULL_LINES + " per reason and minute are logged one by one)";
        }
    }
}
