package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** One problem, or several reported at once. */
class UsagePlansConfigExceptionTest {

    private static final UsagePlansConfigException RATE = new UsagePlansConfigException("plans.yaml",
            "plans[premium].throttle.rateLimit", 6, "must be a number of requests per second greater than 0 (like 10 or 0.5), was -5");
    private static final UsagePlansConfigException PERIOD = new UsagePlansConfigException("plans.yaml",
            "plans[basic].quota.period", 9, "unknown period 'FORTNIGHT'; use DAY, WEEK or MONTH");
    private static final UsagePlansConfigException IN_CODE = new UsagePlansConfigException("excludePaths", "must start with /");

    @Test
    void aSingleProblemIsItsOnlyProblem() {
        assertEquals(List.of(RATE), RATE.problems());
        assertEquals("must be a number of requests per second greater than 0 (like 10 or 0.5), was -5", RATE.problem());
    }

    @Test
    void aListOfOneProblemBehavesLikeThatProblem() {
        UsagePlansConfigException e = new UsagePlansConfigException(List.of(RATE));
        assertEquals(RATE.getMessage(), e.getMessage());
        assertEquals(RATE.source(), e.source());
        assertEquals(RATE.entry(), e.entry());
        assertEquals(RATE.line(), e.line());
        assertEquals(RATE.problem(), e.problem());
        assertEquals(List.of(RATE), e.problems());
    }

    @Test
    void severalProblemsAreCountedThenListedOnePerLineAndTheFirstNamesSourceEntryAndLine() {
        UsagePlansConfigException e = new UsagePlansConfigException(List.of(RATE, PERIOD, IN_CODE));
        assertEquals("usage-plans: 3 problems:\n"
                + "usage-plans: plans.yaml, line 6: plans[premium].throttle.rateLimit: must be a number of requests per second "
                + "greater than 0 (like 10 or 0.5), was -5\n"
                + "usage-plans: plans.yaml, line 9: plans[basic].quota.period: unknown period 'FORTNIGHT'; use DAY, WEEK or MONTH\n"
                + "usage-plans: excludePaths: must start with /", e.getMessage());
        assertEquals(List.of(RATE, PERIOD, IN_CODE), e.problems());
        assertEquals("plans.yaml", e.source());
        assertEquals("plans[premium].throttle.rateLimit", e.entry());
        assertEquals(6, e.line());
        assertEquals(RATE.problem(), e.problem());
    }

    @Test
    void combinedProblemsAmongTheGivenOnesAreFlattened() {
        UsagePlansConfigException inner = new UsagePlansConfigException(List.of(RATE, PERIOD));
        UsagePlansConfigException e = new UsagePlansConfigException(List.of(inner, IN_CODE));
        assertEquals(List.of(RATE, PERIOD, IN_CODE), e.problems());
        assertTrue(e.getMessage().startsWith("usage-plans: 3 problems:\nusage-plans: plans.yaml, line 6:"), e.getMessage());
    }

    @Test
    void noProblemsCannotBeThrown() {
        assertThrows(IllegalArgumentException.class, () -> new UsagePlansConfigException(List.of()));
    }

    @Test
    void throwIfAnyThrowsNothingTheOneProblemOrAllOfThem() {
        assertDoesNotThrow(() -> UsagePlansConfigException.throwIfAny(List.of()));
        assertSame(RATE, assertThrows(UsagePlansConfigException.class,
                () -> UsagePlansConfigException.throwIfAny(List.of(RATE))));
        UsagePlansConfigException both = assertThrows(UsagePlansConfigException.class,
                () -> UsagePlansConfigException.throwIfAny(List.of(RATE, PERIOD)));
        assertEquals(List.of(RATE, PERIOD), both.problems());
    }

    @Test
    void aMessageListsAtMostOneHundredProblemsAndCountsTheRest() {
        List<UsagePlansConfigException> many = new ArrayList<>();
        for (int i = 1; i <= 130; i++) {
            many.add(new UsagePlansConfigException("plans.yaml", "plans[p" + i + "]", i, "bad"));
        }
        UsagePlansConfigException e = new UsagePlansConfigException(many);
        assertEquals(130, e.problems().size());
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(102, lines.size());
        assertEquals("usage-plans: 130 problems:", lines.get(0));
        assertEquals("usage-plans: plans.yaml, line 100: plans[p100]: bad", lines.get(100));
        assertEquals("... and 30 more", lines.get(101));
    }
}
