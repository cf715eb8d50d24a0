package io.usageplans.hazelcast;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import io.usageplans.spi.UsageStore;
import io.usageplans.testing.UsageStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Hazelcast store keeps every store rule, on a real two-member cluster over loopback, each case on a map of its
 * own. Decisions run on the caller with compare-and-set (`decideOnCaller(true)`), for members without this jar. Idle state expires by a Hazelcast TTL in real time, which the moved clock cannot trigger, so the
 * expiry cases are skipped here.
 */
class HazelcastCallerSideContractTest extends UsageStoreContract {

    private static TestCluster cluster;
    private static int stores;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected UsageStore newStore(Clock clock) {
        // alternate members, so that both the owner and a non-owner of a key decide
        return HazelcastUsageStore.builder(cluster.members.get(stores++ % 2))
                .mapName("contract-" + UUID.randomUUID())
                .timeout(Duration.ofSeconds(5))
                .decideOnCaller(true)
                .build();
    }
}
