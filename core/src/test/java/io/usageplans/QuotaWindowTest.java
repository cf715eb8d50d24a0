package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

/** {@link Quota#windowAt(Instant)}: calendar periods in UTC or the quota's time zone, shifted by the offset. */
class QuotaWindowTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static void assertWindow(QuotaWindow window, String expectedStart, String expectedEnd) {
        assertEquals(Instant.parse(expectedStart), Instant.ofEpochMilli(window.startMillis()), "start of " + window);
        assertEquals(Instant.parse(expectedEnd), Instant.ofEpochMilli(window.endMillis()), "end of " + window);
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    // ---- DAY ----

    @Test
    void dayInUtcRunsFromMidnightToNextMidnight() {
        Quota quota = Quota.limit(1000).period(QuotaPeriod.DAY);

        QuotaWindow window = quota.windowAt(Instant.parse("2027-01-15T12:34:56Z"));

        assertWindow(window, "2027-01-15T00:00:00Z", "2027-01-16T00:00:00Z");
        assertEquals(1000, window.limit());
        assertEquals(Duration.ofDays(1).toSeconds(), window.lengthSeconds());
    }

    @Test
    void dayInUtcLastMillisecondBelongsToOldDay() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY);

        QuotaWindow window = quota.windowAt(Instant.parse("2027-01-15T23:59:59.999Z"));

        assertWindow(window, "2027-01-15T00:00:00Z", "2027-01-16T00:00:00Z");
        assertTrue(window.contains(millis("2027-01-15T23:59:59.999Z")));
        assertFalse(window.contains(millis("2027-01-16T00:00:00Z")), "the end is exclusive");
    }

    @Test
    void dayInUtcMidnightStartsNewDay() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY);

        QuotaWindow window = quota.windowAt(Instant.parse("2027-01-16T00:00:00Z"));

        assertWindow(window, "2027-01-16T00:00:00Z", "2027-01-17T00:00:00Z");
        assertTrue(window.contains(millis("2027-01-16T00:00:00Z")), "the start is inclusive");
    }

    @Test
    void dayInUtcAcrossYearEnd() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY);

        assertWindow(quota.windowAt(Instant.parse("2027-12-31T23:59:59.999Z")),
                "2027-12-31T00:00:00Z", "2028-01-01T00:00:00Z");
        assertWindow(quota.windowAt(Instant.parse("2028-01-01T00:00:00Z")),
                "2028-01-01T00:00:00Z", "2028-01-02T00:00:00Z");
    }

    @Test
    void dayInNewYorkStartsAtLocalMidnightWhichIsFiveUtcInWinter() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY).withTimeZone(NEW_YORK);

        // 03:00Z on Jan 15 is still 22:00 on Jan 14 in New York (EST, UTC-5)
        assertWindow(quota.windowAt(Instant.parse("2027-01-15T03:00:00Z")),
                "2027-01-14T05:00:00Z", "2027-01-15T05:00:00Z");
        // 04:59:59.999Z is the last millisecond of Jan 14 in New York
        assertWindow(quota.windowAt(Instant.parse("2027-01-15T04:59:59.999Z")),
                "2027-01-14T05:00:00Z", "2027-01-15T05:00:00Z");
        // 05:00Z is midnight of Jan 15 in New York: a new day
        QuotaWindow jan15 = quota.windowAt(Instant.parse("2027-01-15T05:00:00Z"));
        assertWindow(jan15, "2027-01-15T05:00:00Z", "2027-01-16T05:00:00Z");
        assertEquals(24 * 3600, jan15.lengthSeconds());
    }

    @Test
    void dayInNewYorkStartsAtLocalMidnightWhichIsFourUtcInSummer() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY).withTimeZone(NEW_YORK);

        assertWindow(quota.windowAt(Instant.parse("2027-07-04T12:00:00Z")),
                "2027-07-04T04:00:00Z", "2027-07-05T04:00:00Z");
    }

    @Test
    void dayInNewYorkWhenClocksSpringForwardIs23HoursLong() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY).withTimeZone(NEW_YORK);

        // 2027-03-14: 02:00 EST jumps to 03:00 EDT
        QuotaWindow window = quota.windowAt(Instant.parse("2027-03-14T12:00:00Z"));

        assertWindow(window, "2027-03-14T05:00:00Z", "2027-03-15T04:00:00Z");
        assertEquals(23 * 3600, window.lengthSeconds());
    }

    @Test
    void dayInNewYorkWhenClocksFallBackIs25HoursLong() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.DAY).withTimeZone(NEW_YORK);

        // 2027-11-07: 02:00 EDT falls back to 01:00 EST
        QuotaWindow window = quota.windowAt(Instant.parse("2027-11-07T12:00:00Z"));

        assertWindow(window, "2027-11-07T04:00:00Z", "2027-11-08T05:00:00Z");
        assertEquals(25 * 3600, window.lengthSeconds());
    }

    // ---- WEEK ----

    @Test
    void weekWithOffsetZeroSaturdayBelongsToWeekStartingPreviousSunday() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.WEEK);

        // 2027-01-09 is a Saturday; the week started on Sunday 2027-01-03
        QuotaWindow window = quota.windowAt(Instant.parse("2027-01-09T23:59:59.999Z"));

        assertWindow(window, "2027-01-03T00:00:00Z", "2027-01-10T00:00:00Z");
        assertEquals(7 * 24 * 3600, window.lengthSeconds());
    }

    @Test
    void weekWithOffsetZeroSundayMidnightStartsNewWeek() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.WEEK);

        // 2027-01-10 is a Sunday
        assertWindow(quota.windowAt(Instant.parse("2027-01-10T00:00:00Z")),
                "2027-01-10T00:00:00Z", "2027-01-17T00:00:00Z");
        assertWindow(quota.windowAt(Instant.parse("2027-01-12T08:00:00Z")),
                "2027-01-10T00:00:00Z", "2027-01-17T00:00:00Z");
    }

    @Test
    void weekWithOffsetThreeStartsOnWednesday() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.WEEK).withOffset(3);

        // Tuesday 2027-01-12, last millisecond: still the week from Wednesday 2027-01-06
        assertWindow(quota.windowAt(Instant.parse("2027-01-12T23:59:59.999Z")),
                "2027-01-06T00:00:00Z", "2027-01-13T00:00:00Z");
        // Sunday 2027-01-10 is inside that week too
        assertWindow(quota.windowAt(Instant.parse("2027-01-10T00:00:00Z")),
                "2027-01-06T00:00:00Z", "2027-01-13T00:00:00Z");
        // Wednesday 2027-01-13 00:00 starts a new week
        assertWindow(quota.windowAt(Instant.parse("2027-01-13T00:00:00Z")),
                "2027-01-13T00:00:00Z", "2027-01-20T00:00:00Z");
    }

    @Test
    void weekWithOffsetSixStartsOnSaturday() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.WEEK).withOffset(6);

        // Friday 2027-01-15 belongs to the week from Saturday 2027-01-09
        assertWindow(quota.windowAt(Instant.parse("2027-01-15T12:00:00Z")),
                "2027-01-09T00:00:00Z", "2027-01-16T00:00:00Z");
    }

    // ---- MONTH ----

    @Test
    void monthWithOffsetZeroJanuaryIs31Days() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH);

        QuotaWindow window = quota.windowAt(Instant.parse("2027-01-31T23:59:59Z"));

        assertWindow(window, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
        assertEquals(31L * 24 * 3600, window.lengthSeconds());
    }

    @Test
    void monthWithOffsetZeroFirstOfMonthStartsNewMonth() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH);

        assertWindow(quota.windowAt(Instant.parse("2027-01-01T00:00:00Z")),
                "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
        assertWindow(quota.windowAt(Instant.parse("2026-12-31T23:59:59.999Z")),
                "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
    }

    @Test
    void monthWithOffsetZeroFebruary2027Is28Days() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH);

        QuotaWindow window = quota.windowAt(Instant.parse("2027-02-01T00:00:00Z"));

        assertWindow(window, "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z");
        assertEquals(28L * 24 * 3600, window.lengthSeconds());
        assertWindow(quota.windowAt(Instant.parse("2027-02-28T23:59:59.999Z")),
                "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z");
    }

    @Test
    void monthWithOffsetZeroLeapFebruary2028Is29Days() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH);

        QuotaWindow window = quota.windowAt(Instant.parse("2028-02-29T12:00:00Z"));

        assertWindow(window, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z");
        assertEquals(29L * 24 * 3600, window.lengthSeconds());
    }

    @Test
    void monthWithOffset27RunsFromThe28thToTheNext28th() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH).withOffset(27);

        // March 5 belongs to the period that started on Feb 28
        QuotaWindow march5 = quota.windowAt(Instant.parse("2027-03-05T10:00:00Z"));
        assertWindow(march5, "2027-02-28T00:00:00Z", "2027-03-28T00:00:00Z");
        assertEquals(28L * 24 * 3600, march5.lengthSeconds());

        // the 28th at 00:00 starts a new period
        assertWindow(quota.windowAt(Instant.parse("2027-03-28T00:00:00Z")),
                "2027-03-28T00:00:00Z", "2027-04-28T00:00:00Z");
        // and the 27th is still in the old one
        assertWindow(quota.windowAt(Instant.parse("2027-03-27T23:59:59.999Z")),
                "2027-02-28T00:00:00Z", "2027-03-28T00:00:00Z");
    }

    @Test
    void monthWithOffset27AcrossYearEnd() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH).withOffset(27);

        QuotaWindow window = quota.windowAt(Instant.parse("2028-01-10T00:00:00Z"));

        assertWindow(window, "2027-12-28T00:00:00Z", "2028-01-28T00:00:00Z");
        assertEquals(31L * 24 * 3600, window.lengthSeconds());
    }

    @Test
    void monthInNewYorkStartsAtLocalMidnightOfTheFirst() {
        Quota quota = Quota.limit(10).period(QuotaPeriod.MONTH).withTimeZone(NEW_YORK);

        // 2027-02-01T03:00Z is still Jan 31 22:00 in New York
        assertWindow(quota.windowAt(Instant.parse("2027-02-01T03:00:00Z")),
                "2027-01-01T05:00:00Z", "2027-02-01T05:00:00Z");
    }

    // ---- QuotaWindow arithmetic ----

    @Test
    void secondsUntilEndRoundsUp() {
        QuotaWindow window = Quota.limit(10).period(QuotaPeriod.DAY).windowAt(Instant.parse("2027-01-15T12:00:00Z"));

        assertEquals(86_400 - 12 * 3600, window.secondsUntilEnd(millis("2027-01-15T12:00:00Z")));
        assertEquals(1, window.secondsUntilEnd(millis("2027-01-15T23:59:59.001Z")));
        assertEquals(1, window.secondsUntilEnd(millis("2027-01-15T23:59:59Z")));
        assertEquals(2, window.secondsUntilEnd(millis("2027-01-15T23:59:58.999Z")));
        assertEquals(86_400, window.secondsUntilEnd(millis("2027-01-15T00:00:00Z")));
    }

    @Test
    void secondsUntilEndIsNeverZero() {
        QuotaWindow window = Quota.limit(10).period(QuotaPeriod.DAY).windowAt(Instant.parse("2027-01-15T12:00:00Z"));

        assertEquals(1, window.secondsUntilEnd(millis("2027-01-15T23:59:59.999Z")));
        assertEquals(1, window.secondsUntilEnd(millis("2027-01-16T00:00:00Z")), "at the end");
        assertEquals(1, window.secondsUntilEnd(millis("2027-01-16T00:00:05Z")), "after the end");
    }

    @Test
    void lengthSecondsIsTheWholePeriod() {
        assertEquals(86_400, new QuotaWindow(1, 0, 86_400_000L).lengthSeconds());
        assertEquals(2, new QuotaWindow(1, 0, 1_001).lengthSeconds(), "rounded up");
        assertEquals(7L * 86_400, Quota.limit(1).period(QuotaPeriod.WEEK)
                .windowAt(Instant.parse("2027-01-05T00:00:00Z")).lengthSeconds());
        assertEquals(30L * 86_400, Quota.limit(1).period(QuotaPeriod.MONTH)
                .windowAt(Instant.parse("2027-04-15T00:00:00Z")).lengthSeconds());
    }
}
