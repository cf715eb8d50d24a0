package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import io.usageplans.spi.StoreHealth;
import org.junit.jupiter.api.Test;

/** What the readiness check ({@code usage-plans-microprofile}) reads from the Infinispan store. */
class StoreHealthTest {

    @Test
    void aRunningNodeAnswersAndSeesEveryMemberAndAStoppedOneDoesNot() {
        try (TestGrid grid = TestGrid.start(2)) {
            String cache = "health-" + UUID.randomUUID();
            InfinispanUsageStore first = InfinispanUsageStore.builder(grid.nodes.get(0)).stateCache(cache).shareKeys(false).build();
            InfinispanUsageStore second = InfinispanUsageStore.builder(grid.nodes.get(1)).stateCache(cache).shareKeys(false).build();
            assertEquals(new StoreHealth(true, 2, ""), first.health());
            assertEquals(new StoreHealth(true, 2, ""), second.health());

            grid.nodes.get(1).stop();

            StoreHealth stopped = second.health();
            assertFalse(stopped.answering());
            assertTrue(stopped.detail().startsWith("the Infinispan cache '" + cache + "' is "), stopped.detail());
            io.usageplans.testsupport.Await.until(() -> first.health().membersSeen() == 1, java.time.Duration.ofSeconds(10),
                    "the remaining node to see itself alone");
            assertTrue(first.health().answering(), "the remaining node owns every key now");
        }
    }

    @Test
    void activeKeysCountsTheKeyStatesOfTheWholeGridFromEveryNodeAndNoneWhenItCannotAnswer() {
        try (TestGrid grid = TestGrid.start(2)) {
            String cache = "active-" + UUID.randomUUID();
            InfinispanUsageStore first = InfinispanUsageStore.builder(grid.nodes.get(0)).stateCache(cache).shareKeys(false).build();
            InfinispanUsageStore second = InfinispanUsageStore.builder(grid.nodes.get(1)).stateCache(cache).shareKeys(false).build();
            assertEquals(0, first.activeKeys());
            io.usageplans.testing.MutableClock clock = io.usageplans.testing.MutableClock.at("2027-03-10T12:00:00Z");
            for (int i = 0; i < 7; i++) {
                (i % 2 == 0 ? first : second).tryConsume(new io.usageplans.spi.MeteringRequest("key-" + i + "|plan",
                        new io.usageplans.spi.BucketSpec("plan", 5, 1_000_000_000L), null, null, clock.nanos()));
            }
            first.tryConsume(new io.usageplans.spi.MeteringRequest("key-0|plan",
                    new io.usageplans.spi.BucketSpec("plan", 5, 1_000_000_000L), null, null, clock.nanos()));
            assertEquals(7, first.activeKeys(), "seven keys, one of them twice");
            assertEquals(7, second.activeKeys());

            grid.nodes.get(1).stop();

            assertEquals(-1, second.activeKeys(), "a stopped node cannot tell");
        }
    }
}
