package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import org.junit.jupiter.api.Test;

/**
 * Lease settlements and the store's warm-up keep off Hazelcast's default async executor, which on a machine with 2
 * processors or fewer ({@code ForkJoinPool} common parallelism 1) starts a thread for every call: with lease mode's
 * settlement every interval, that was a thread per partition and interval (now at most one per other member and
 * interval), and the warm-up started one per partition (271 by default) and one per deletion. On a larger machine that executor is the common pool, and these tests show
 * only that settlements and the warm-up answer right.
 */
class SettleThreadsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void settlementsAcrossManyPartitionsAnswerEveryKeyAndStartNoThreadPerPartition() {
        try (TestCluster cluster = TestCluster.start(2)) {
            HazelcastUsageStore store = HazelcastUsageStore.builder(cluster.members.get(0)).mapName("settle-" + UUID.randomUUID())
                    .timeout(Duration.ofSeconds(5)).shareKeys(false).build();
            BucketSpec plan = new BucketSpec("plan", 100_000, 100 * SECOND);
            long now = System.nanoTime();
            settleRound(store, plan, now); // warms the store and Hazelcast's own pools
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();

            int rounds = 20;
            for (int round = 0; round < rounds; round++) {
                List<AllowanceGrant> grants = settleRound(store, plan, now);
                assertEquals(64, grants.size());
                for (AllowanceGrant grant : grants) {
                    assertTrue(grant.granted() > 0, "every key of every partition granted: " + grant);
                }
            }

            // the other member's part of each settlement is one executor call, whose future Hazelcast completes through
            // its default async executor: on this machine a thread per call, one per round here, not one per partition
            long started = threads.getTotalStartedThreadCount() - startedBefore;
            assertTrue(started <= 2 * rounds, rounds + " settlements over 64 keys in many partitions started " + started
                    + " threads (IMap.submitToKeys on this machine: about one per partition and call)");
        }
    }

    @Test
    void warmingUpEveryPartitionStartsNoThreadPerPartition() {
        try (TestCluster cluster = TestCluster.start(2)) {
            HazelcastUsageStore store = HazelcastUsageStore.builder(cluster.members.get(0)).mapName("warm-" + UUID.randomUUID())
                    .timeout(Duration.ofSeconds(5)).warmUp(Duration.ofSeconds(30)).shareKeys(false).build();
            int partitions = cluster.members.get(0).getPartitionService().getPartitions().size();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();

            store.warmUp();

            long started = threads.getTotalStartedThreadCount() - startedBefore;
            assertTrue(started < partitions / 4, "warming " + partitions + " partitions started " + started
                    + " threads (IMap.submitToKey on this machine: about two per partition)");
            assertEquals(0, cluster.members.get(0).getMap(store.mapName()).size(), "the warm-up's entries are deleted");
        }
    }

    /** One settlement that asks 10 tokens for each of 64 keys, spread over Hazelcast's partitions. */
    private static List<AllowanceGrant> settleRound(HazelcastUsageStore store, BucketSpec plan, long now) {
        List<AllowanceChange> changes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            changes.add(new AllowanceChange("settle-key-" + i + "|plan", plan, null, now, 0, 0, 10, 10 * SECOND));
        }
        return store.settle(changes);
    }
}
