package io.usageplans.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The guard of the server tests that count within one UTC day (a unit test: no server starts). */
class UtcDayTest {

    @Test
    void aTestDueInTheLastMinuteOfTheDayStartsAfterMidnight() throws Exception {
        // the real clock, shifted so that 150 ms are left of the day: the guard waits them out
        Instant now = Instant.now();
        Instant lastMoment = Instant.parse("2027-03-10T23:59:59.850Z");
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(now, lastMoment));
        List<LocalDate> days = new ArrayList<>();
        long started = System.nanoTime();
        UtcDay.within(clock, () -> days.add(UtcDay.today(clock)));
        assertEquals(List.of(LocalDate.parse("2027-03-11")), days);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "waited only the rest of the day");
    }

    @Test
    void aTestWithMoreThanAMinuteOfTheDayLeftStartsAtOnceAndItsFailureIsItsOwn() {
        MutableClock clock = MutableClock.at("2027-03-10T23:58:30Z");
        AssertionError failure = new AssertionError("quota left after request 3 expected 7 but was 6");
        AssertionError thrown = assertThrows(AssertionError.class, () -> UtcDay.within(clock, () -> {
            assertEquals(LocalDate.parse("2027-03-10"), UtcDay.today(clock));
            throw failure;
        }));
        assertSame(failure, thrown);
    }

    @Test
    void aFailureWhileMidnightPassedSaysSo() {
        MutableClock clock = MutableClock.at("2027-03-10T23:58:30Z");
        AssertionError thrown = assertThrows(AssertionError.class, () -> UtcDay.within(clock, () -> {
            clock.advance(Duration.ofMinutes(2));
            throw new AssertionError("request 11 expected 429 but was 200");
        }));
        assertTrue(thrown.getMessage().startsWith("00:00 UTC passed while this test ran (longer than 60 s)"), thrown.getMessage());
        assertTrue(thrown.getMessage().endsWith("request 11 expected 429 but was 200"), thrown.getMessage());
    }

    @Test
    void secondsToMidnightAreCountedAsRetryAfterCountsThem() {
        assertEquals(43_200, UtcDay.secondsToMidnight(Instant.parse("2027-03-10T12:00:00Z").toEpochMilli()));
        assertEquals(1, UtcDay.secondsToMidnight(Instant.parse("2027-03-10T23:59:59.999Z").toEpochMilli()));
        assertEquals(2, UtcDay.secondsToMidnight(Instant.parse("2027-03-10T23:59:58.001Z").toEpochMilli()));
        assertEquals(86_400, UtcDay.secondsToMidnight(Instant.parse("2027-03-11T00:00:00Z").toEpochMilli()));
    }
}
