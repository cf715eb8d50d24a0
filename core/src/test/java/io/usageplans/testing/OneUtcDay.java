package io.usageplans.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * For tests on the real clock (an application or filter that reads {@code Clock.systemUTC()}) whose expectations hold
 * within one UTC day (a daily quota, a usage report for today): a test that fails while 00:00 UTC passed runs once
 * more, on fresh state, on the new day. Shared by the modules' tests through core's test jar.
 */
public final class OneUtcDay {

    /** A test, or what gives it fresh state (a restarted application). */
    public interface Step {
        void run() throws Exception;
    }

    private OneUtcDay() {
    }

    /**
     * Runs {@code test}; should it fail while the UTC day changed, runs {@code freshState} and then {@code test} once
     * more, whose outcome is the result. A failure within one day is reported as it is.
     */
    public static void run(Step test, Step freshState) throws Exception {
        run(Clock.systemUTC(), test, freshState);
    }

    public static void run(Clock clock, Step test, Step freshState) throws Exception {
        LocalDate day = today(clock);
        try {
            test.run();
        } catch (Exception | AssertionError e) {
            if (today(clock).equals(day)) {
                throw e;
            }
            freshState.run();
            test.run();
        }
    }

    public static LocalDate today() {
        return today(Clock.systemUTC());
    }

    public static LocalDate today(Clock clock) {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Whole seconds from {@code millis} to the next 00:00 UTC, rounded up, as a quota's Retry-After counts them. */
    public static long secondsToMidnight(long millis) {
        long midnight = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        return Math.max(1, (midnight - millis + 999) / 1000);
    }
}
