package io.usageplans.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one log line through per interval, so that a failure repeated on every request (a store down, a listener that
 * throws) is reported without flooding the log. Lock-free: of threads racing for a line, one wins.
 */
final class RateLimitedLog {

    private final LongSupplier time;
    private final long interval;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

    /** {@code time} is read in the unit of {@code interval} (the engine's clock in ms, or {@link System#nanoTime}). */
    RateLimitedLog(LongSupplier time, long interval) {
        this.time = time;
        this.interval = interval;
    }

    /** Whether a line may be written now; if so, the next one waits a whole interval. */
    boolean due() {
        long now = time.getAsLong();
        long previous = last.get();
        return (previous == Long.MIN_VALUE || now < previous || now - previous >= interval) && last.compareAndSet(previous, now);
    }
}
