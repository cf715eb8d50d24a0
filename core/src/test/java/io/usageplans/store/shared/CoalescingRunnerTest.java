package io.usageplans.store.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CoalescingRunnerTest {

    @Test
    void requestsMadeWhileARunIsUnderWayAreCoveredByExactlyOneMoreRun() throws Exception {
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstRun = new CountDownLatch(1);
        CountDownLatch secondRunDone = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (CoalescingRunner runner = new CoalescingRunner("coalescing-test", () -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                firstRunStarted.countDown();
                await(releaseFirstRun);
            } else {
                secondRunDone.countDown();
            }
        })) {
            runner.request();
            assertTrue(firstRunStarted.await(5, TimeUnit.SECONDS), "the first run starts");
            for (int i = 0; i < 1_000; i++) {
                runner.request(); // a thousand changes heard while the first run is busy
            }
            releaseFirstRun.countDown();

            assertTrue(secondRunDone.await(5, TimeUnit.SECONDS), "one more run covers them");
            runner.request();
            awaitRuns(runs, 3);
            assertEquals(3, runs.get(), "and a request after that runs once more");
        }
    }

    @Test
    void aClosedRunnerRunsNothingAndRefusesNothing() {
        AtomicInteger runs = new AtomicInteger();
        CoalescingRunner runner = new CoalescingRunner("coalescing-test", runs::incrementAndGet);
        runner.close();
        runner.request();
        runner.request();
        assertEquals(0, runs.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitRuns(AtomicInteger runs, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (runs.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
