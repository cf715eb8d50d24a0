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
}
