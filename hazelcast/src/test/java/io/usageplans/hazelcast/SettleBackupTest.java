package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.UsageStoreUnavailableException;
import org.junit.jupiter.api.Test;

/**
 * A lease grant is handed to the member only once the key's backup holds it, as a decision is. Were it answered first,
 * an owner that dies in between would take the record of the grant with it: the new owner would refill the bucket and
 * count the quota without the units the member is still spending, and all members together would admit more than the
 * limit. Hazelcast's per-member batch ({@code IMap.submitToKeys}) answers without waiting for its partitions' sync
 * backups; a settlement therefore runs as one invocation per partition, which does wait.
 *
 * <p>Each member here has one partition thread; the backup member's is held by an entry processor of its own, so the
 * backup of a settlement on the owner cannot be applied until the test lets it go.
 */
class SettleBackupTest {

    private static final long SECOND = 1_000_000_000L;
    private static volatile CountDownLatch held;
    private static volatile CountDownLatch letGo;

    /** The settling member owns the key and runs its Settle itself; the other member holds the backup. */
    @Test
    void aGrantOfTheMembersOwnKeyIsNotHandedOutWhileItsBackupCannotRecordIt() throws Exception {
        grantWhileTheBackupIsHeld(0);
    }

    /** The other member owns the key and runs its Settle for the settling member, which holds the backup. */
    @Test
    void aGrantOfAnotherMembersKeyIsNotHandedOutWhileItsBackupCannotRecordIt() throws Exception {
        grantWhileTheBackupIsHeld(1);
    }

    private static void grantWhileTheBackupIsHeld(int ownerIndex) throws Exception {
        held = new CountDownLatch(1);
        letGo = new CountDownLatch(1);
        try (TestCluster cluster = TestCluster.start(2,
                (member, config) -> config.setProperty("hazelcast.operation.thread.count", "1"))) {
            HazelcastInstance settling = cluster.members.get(0);
            HazelcastInstance owner = cluster.members.get(ownerIndex);
            HazelcastInstance backup = cluster.members.get(1 - ownerIndex);
            String mapName = "settle-backup-" + UUID.randomUUID();
            HazelcastUsageStore store = HazelcastUsageStore.builder(settling).mapName(mapName)
                    .timeout(Duration.ofMillis(500)).shareKeys(false).build();
            settling.getPartitionService().getPartitions(); // assigns them
            TestCluster.await(() -> backup.getPartitionService().getPartitions().stream().allMatch(p -> p.getOwner() != null)
                    && owner.getPartitionService().isClusterSafe(), 30_000, "every partition owned and backed up");
            String stateKey = keyOwnedBy(owner, "granted-key-", "|plan");
            BucketSpec plan = new BucketSpec("plan", 100_000, 100 * SECOND);
            long now = System.currentTimeMillis() * 1_000_000L;
            AllowanceChange wantsUnits = new AllowanceChange(stateKey, plan, null, now, 0, 0, 1_000, 10 * SECOND);

            store.settle(List.of(new AllowanceChange(keyOwnedBy(owner, "other-key-", "|plan"), plan, null, now, 0, 0, 1, SECOND)));
            backup.<String, KeyUsage>getMap(mapName).submitToKey(keyOwnedBy(backup, "holding-key-", ""), new HoldPartitionThread());
            assertTrue(held.await(30, TimeUnit.SECONDS), "the backup member's partition thread is held");
            try {
                assertThrows(UsageStoreUnavailableException.class, () -> store.settle(List.of(wantsUnits)),
                        "no grant answered before the backup has it");
            } finally {
                letGo.countDown();
            }

            List<AllowanceGrant> grants = store.settle(List.of(new AllowanceChange(stateKey, plan, null, now, 0, 0, 1_000,
                    10 * SECOND)));
            assertEquals(1_000, grants.get(0).granted(), "with the backup free again the same ask is granted");
        }
    }

    /** A key whose partition {@code member} owns. */
    private static String keyOwnedBy(HazelcastInstance member, String prefix, String suffix) {
        for (int i = 0; ; i++) {
            String key = prefix + i + suffix;
            if (member.getPartitionService().getPartition(key).getOwner().localMember()) {
                return key;
            }
        }
    }

    /** Holds the partition thread it runs on until the test lets it go (members share this JVM, so the latches too). */
    static final class HoldPartitionThread implements EntryProcessor<String, KeyUsage, Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public Object process(Map.Entry<String, KeyUsage> entry) {
            held.countDown();
            try {
                letGo.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }
}
