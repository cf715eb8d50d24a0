package io.usageplans.servers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The UTC day of the real clock, which the servers' quotas count in (their clock cannot be moved): tests whose
 * counts or {@code Retry-After} hold within one day run through {@link #within}.
 */
final class UtcDay {

    /** How long a test that counts on one UTC day may take: it starts only with this much of the day left. */
    static final Duration MARGIN = Duration.ofMinutes(1);

    /** A test body. */
    interface Step {
        void run() throws Exception;
    }

    private UtcDay() {
    }

    /**
     * Runs {@code test} within one UTC day: with less than {@link #MARGIN} left of today it first waits until 00:00
     * UTC has passed (at most that long, once a day at most); should the day still change while the test runs (it
     * took longer than the margin), its failure says so.
     */
    static void within(Step test) throws Exception {
        within(Clock.systemUTC(), test);
    }

    static void within(Clock clock, Step test) throws Exception {
        long left = millisToMidnight(clock.millis());
        if (left < MARGIN.toMillis()) {
            Thread.sleep(left + 1); // the quota's day ends at 00:00 UTC: start the test on the next one
        }
        LocalDate day = today(clock);
        try {
            test.run();
        } catch (Exception | AssertionError e) {
            if (!today(clock).equals(day)) {
                throw new AssertionError("00:00 UTC passed while this test ran (longer than " + MARGIN.toSeconds()
                        + " s), so its daily counts do not hold: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    static LocalDate today(Clock clock) {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Whole seconds from {@code millis} to the next 00:00 UTC, rounded up, as a quota's {@code Retry-After} counts. */
    static long secondsToMidnight(long millis) {
        return Math.max(1, (millisToMidnight(millis) + 999) / 1000);
    }

    static long millisToMidnight(long millis) {
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() - millis;
    }
}
