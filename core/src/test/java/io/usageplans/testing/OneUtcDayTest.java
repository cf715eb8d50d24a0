package io.usageplans.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The guard of tests on the real clock that count within one UTC day, itself tested on a clock moved by hand. */
class OneUtcDayTest {

    @Test
    void aTestThatFailsWhileMidnightPassesRunsOnceMoreOnFreshState() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T23:59:59.500Z");
        List<String> steps = new ArrayList<>();
        OneUtcDay.run(clock, () -> {
            steps.add("test on " + OneUtcDay.today(clock));
            if (steps.size() == 1) {
                clock.advance(Duration.ofSeconds(1)); // 00:00 UTC passes during the first run, which then fails
                throw new AssertionError("the eleventh request passed: the quota started afresh");
            }
        }, () -> steps.add("fresh state"));
        assertEquals(List.of("test on 2027-03-10", "fresh state", "test on 2027-03-11"), steps);
    }

    @Test
    void aTestThatFailsWithinOneDayFailsWithoutASecondRun() {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        List<String> steps = new ArrayList<>();
        AssertionError failure = new AssertionError("a wrong count");
        AssertionError thrown = assertThrows(AssertionError.class, () -> OneUtcDay.run(clock, () -> {
            steps.add("test");
            clock.advance(Duration.ofHours(11));
            throw failure;
        }, () -> steps.add("fresh state")));
        assertSame(failure, thrown);
        assertEquals(List.of("test"), steps);
    }

    @Test
    void aSecondFailureOnTheNewDayIsReported() {
        MutableClock clock = MutableClock.at("2027-03-10T23:59:59Z");
        List<String> steps = new ArrayList<>();
        AssertionError thrown = assertThrows(AssertionError.class, () -> OneUtcDay.run(clock, () -> {
            steps.add("test");
            clock.advance(Duration.ofSeconds(2));
            throw new AssertionError("failure of run " + steps.stream().filter("test"::equals).count());
        }, () -> steps.add("fresh state")));
        assertEquals("failure of run 2", thrown.getMessage());
        assertEquals(List.of("test", "fresh state", "test"), steps);
    }

    @Test
    void secondsToMidnightAreCountedAsRetryAfterCountsThem() {
        assertEquals(43_200, OneUtcDay.secondsToMidnight(Instant.parse("2027-03-10T12:00:00Z").toEpochMilli()));
        assertEquals(1, OneUtcDay.secondsToMidnight(Instant.parse("2027-03-10T23:59:59.999Z").toEpochMilli()));
        assertEquals(2, OneUtcDay.secondsToMidnight(Instant.parse("2027-03-10T23:59:58.001Z").toEpochMilli()));
        assertEquals(86_400, OneUtcDay.secondsToMidnight(Instant.parse("2027-03-11T00:00:00Z").toEpochMilli()));
    }
}
