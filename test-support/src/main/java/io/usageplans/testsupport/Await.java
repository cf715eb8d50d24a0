package io.usageplans.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded polling for effects that arrive asynchronously (an event from another member, a refund after an async
 * request): checks every 10 ms and fails with what it waited for once the timeout has passed, never a blind sleep.
 */
public final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    private Await() {
    }

    /** Returns as soon as {@code condition} holds; throws an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        until(condition::getAsBoolean, Boolean::booleanValue, timeout, what);
    }

    /**
     * Returns the first value of {@code value} that {@code done} accepts; throws an {@link AssertionError} naming
     * {@code what} and the last value seen after {@code timeout}.
     */
    public static <T> T until(Supplier<T> value, Predicate<? super T> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T last = value.get();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + " (last: " + last + ")");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
