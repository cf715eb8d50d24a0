package io.usageplans.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The last hour's ring, one sample a second driven by hand: what each 10-second step shows, and that an hour rolls over. */
class RequestRatesTest {

    private final AtomicReference<long[]> totals = new AtomicReference<>(new long[] {100, 5, 0, 0});
    private final RequestRates rates = new RequestRates(totals::get).begin();

    @Test
    void aStepShowsItsRequestsPerSecondAndTheStepUnderWayCountsOnlyItsSeconds() {
        for (int second = 1; second <= 10; second++) {
            totals.set(new long[] {100 + 20L * second, 5 + second, 0, 2L * second});
            rates.sample();
        }
        totals.set(new long[] {310, 15, 3, 20});
        rates.sample(); // the first second of the next step
        double[][] perSecond = rates.perSecond();
        assertEquals(RequestRates.SLOTS, perSecond.length);
        assertArrayEquals(new double[] {20, 1, 0, 2}, perSecond[RequestRates.SLOTS - 2], "200 requests in 10 s");
        assertArrayEquals(new double[] {10, 0, 3, 0}, perSecond[RequestRates.SLOTS - 1], "one second so far");
        assertArrayEquals(new double[] {0, 0, 0, 0}, perSecond[0]);
        assertArrayEquals(new long[] {210, 10, 3, 20}, rates.counted(), "what came after the start only");
    }

    @Test
    void afterAnHourTheOldestStepIsForgottenAndMemoryStaysTheSame() {
        totals.set(new long[] {500, 0, 0, 0});
        rates.sample(); // 400 in the first second
        long[] now = {500, 0, 0, 0};
        for (int second = 1; second < RequestRates.SLOTS * RequestRates.SLOT_SECONDS; second++) {
            now = new long[] {now[0] + 1, 0, 0, 0};
            totals.set(now);
            rates.sample();
        }
        assertEquals(400 + 3599, rates.counted()[0], "an hour of samples, all kept");
        assertEquals(40.9, rates.perSecond()[0][0], 1e-9, "the oldest step: 400 + 9 in 10 s");
        totals.set(new long[] {now[0] + 7, 0, 0, 0});
        rates.sample(); // a new hour's first step replaces the oldest
        assertEquals(3599 - 9 + 7, rates.counted()[0]);
        assertEquals(0.7 * 10, rates.perSecond()[RequestRates.SLOTS - 1][0], 1e-9, "7 in its first second");
    }

    @Test
    void anEngineThatRestartsOrIsNotThereCountsNothingNegative() {
        totals.set(null);
        rates.sample();
        totals.set(new long[] {3, 0, 0, 0}); // a new engine, from 0
        rates.sample();
        assertArrayEquals(new long[] {3, 0, 0, 0}, rates.counted());
    }
}
