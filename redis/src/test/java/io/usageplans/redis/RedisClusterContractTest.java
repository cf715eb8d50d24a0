package io.usageplans.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.UsageStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The store on a Redis Cluster of three masters on loopback: every store rule in exact and lease mode (a key's two
 * hashes share one slot, so each script runs on one node; a lease round's calls go to their nodes in one pipeline),
 * and the tutorial's basic plan through settings with keys spread over the nodes.
 */
class RedisClusterContractTest {

    private static TestRedisCluster cluster;
    private static UnifiedJedis client;

    @BeforeAll
    static void startCluster() {
        cluster = TestRedisCluster.start();
        client = cluster.client(5000);
    }

    @AfterAll
    static void stopCluster() {
        client.close();
        cluster.close();
    }

    static RedisUsageStore store() {
        return RedisUsageStore.builder(client).keyPrefix("cluster-" + UUID.randomUUID()).serverTime(false).build();
    }

    @Nested
    class ExactMode extends UsageStoreContract {
        @Override
        protected UsageStore newStore(Clock clock) {
            return store();
        }
    }

    @Nested
    class LeaseMode extends UsageStoreContract {
        @Override
        protected UsageStore newStore(Clock clock) {
            return new LeasingUsageStore(store(), clock, Duration.ofMillis(100), false);
        }
    }

    @Test
    void theTutorialsBasicQuotaHoldsForKeysOnEveryNodeThroughSettings() {
        Map<String, String> settings = Map.of("usageplans.redis.uri", cluster.uri(), "usageplans.redis.cluster", "true",
                "usageplans.redis.key-prefix", "tutorial-" + UUID.randomUUID());
        UsageStore store = new RedisStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
        try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").ownedStore(store).build()) {
            for (int i = 0; i < 10; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(RedisStoreTest.BASIC, "GET", "/pets").outcome());
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(RedisStoreTest.BASIC, "GET", "/pets").outcome());
            for (int i = 0; i < 300; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(RedisStoreTest.DEV, "GET", "/pets").outcome());
            }
        }
        Set<Integer> nodes = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            int slot = JedisClusterCRC16.getSlot(StateKeys.of("p", "key" + i + "|plan").state());
            nodes.add(slot * 3 / 16384);
        }
        assertTrue(nodes.size() > 1, "state keys spread over the cluster's nodes");
    }
}
