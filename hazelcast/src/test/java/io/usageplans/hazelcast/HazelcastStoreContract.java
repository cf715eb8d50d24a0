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
 * own, alternating members so that both the owner and a non-owner of a key decide. Idle state expires by a Hazelcast
 * TTL in real time, which the moved clock cannot trigger, so the expiry cases are skipped. Subclasses say where
 * decisions run and in which cluster mode.
 */
abstract class HazelcastStoreContract extends UsageStoreContract {

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

    /** Whether decisions run on the caller with compare-and-set rather than as entry processors on the owner. */
    abstract boolean decideOnCaller();

    /** The store a case uses, made from the Hazelcast store (exact mode: the store itself). */
    UsageStore inMode(HazelcastUsageStore store, Clock clock) {
        return store;
    }

    @Override
    protected final UsageStore newStore(Clock clock) {
        return inMode(HazelcastUsageStore.builder(cluster.members.get(stores++ % 2))
                .mapName("contract-" + UUID.randomUUID())
                .timeout(Duration.ofSeconds(5))
                .decideOnCaller(decideOnCaller())
                .build(), clock);
    }
}
