package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.TestCluster.DEV;
import static io.usageplans.hazelcast.TestCluster.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** A client of a separate cluster: while the cluster is down, each plan fails closed or open, and no thread hangs. */
class ClientModeTest {

    @Test
    void aClientStartedBeforeItsClusterStartsTheApplicationFailsClosedThenMetersOnceTheClusterIsUp() {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (TestCluster cluster = TestCluster.onFreePorts(1)) {
            ClientConfig config = new ClientConfig();
            config.setClusterName(cluster.name);
            config.setProperty("hazelcast.logging.type", "jdk");
            config.getNetworkConfig().addAddress(cluster.address(0));
            config.getConnectionStrategyConfig().setAsyncStart(true)
                    .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC);
            HazelcastInstance client = HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(config));
            HazelcastUsageStore store = HazelcastUsageStore.builder(client).timeout(Duration.ofMillis(300))
                    .warmUp(Duration.ZERO).ownsInstance(true).build();
            try (UsagePlans engine = UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).store(store).build()) {
                Decision down = engine.decide(DEV, "GET", "/pets");
                assertEquals(Outcome.UNAVAILABLE, down.outcome(), "no cluster yet: dev fails closed");
                assertEquals(Outcome.ALLOWED, engine.decide(OPEN, "GET", "/pets").outcome(), "the lenient plan fails open");

                cluster.join();
                TestCluster.await(() -> engine.decide(DEV, "GET", "/pets").outcome() == Outcome.ALLOWED, 60_000,
                        "the client to reach the cluster that started after it");
                String fields = engine.decide(DEV, "GET", "/pets").rateLimit();
                java.util.regex.Matcher r = java.util.regex.Pattern.compile("\"dev-burst\";r=(\\d+);t=1").matcher(fields);
                assertTrue(r.matches(), fields);
                // two decisions took tokens at least; an attempt that timed out while connecting is given back later
                assertTrue(Integer.parseInt(r.group(1)) <= 1998, "metered through the cluster: " + fields);
            }
        }
    }

    /** Lease settlements from a client go to each key's owner member (one task per member) and grant every key. */
    @Test
    void aClientSettlesAllowancesWithTheMembersThatOwnTheKeys() {
        try (TestCluster cluster = TestCluster.start(2)) {
            ClientConfig config = new ClientConfig();
            config.setClusterName(cluster.name);
            config.setProperty("hazelcast.logging.type", "jdk");
            config.getNetworkConfig().addAddress(cluster.address(0), cluster.address(1));
            HazelcastInstance client = HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(config));
            HazelcastUsageStore store = HazelcastUsageStore.builder(client).timeout(Duration.ofSeconds(5))
                    .shareKeys(false).ownsInstance(true).build();
            try {
                io.usageplans.spi.BucketSpec plan = new io.usageplans.spi.BucketSpec("plan", 1_000_000, 1_000_000_000_000L);
                long now = System.currentTimeMillis() * 1_000_000L;
                java.util.List<io.usageplans.spi.AllowanceChange> changes = new java.util.ArrayList<>();
                java.util.Set<java.util.UUID> owners = new java.util.HashSet<>();
                for (int i = 0; i < 40; i++) {
                    String key = "client-key-" + i + "|plan";
                    changes.add(new io.usageplans.spi.AllowanceChange(key, plan, null, now, 0, 0, 10 + i, 10_000_000_000L));
                    owners.add(cluster.members.get(0).getPartitionService().getPartition(key).getOwner().getUuid());
                }
                assertEquals(2, owners.size(), "the keys belong to both members");

                java.util.List<io.usageplans.spi.AllowanceGrant> grants = store.settle(changes);

                for (int i = 0; i < 40; i++) {
                    assertEquals(10 + i, grants.get(i).granted(), "key " + i + " gets what it asked for, in order");
                    assertEquals(1_000_000 - 10 - i, grants.get(i).planTokens(), "and its bucket is left with the rest");
                }
            } finally {
                store.close();
            }
        }
    }

    @Test
    void whenTheClusterIsDownFailClosedAnswers503AndFailOpenLetsThrough() {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        TestCluster cluster = TestCluster.start(1);
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster.name);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().addAddress(cluster.address(0));
        config.getConnectionStrategyConfig().setAsyncStart(false)
                .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(config));
        HazelcastUsageStore store = HazelcastUsageStore.builder(client).timeout(Duration.ofMillis(300)).ownsInstance(true).build();
        try (UsagePlans engine = UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).store(store).build()) {
            Decision up = engine.decide(DEV, "GET", "/pets");
            assertEquals(Outcome.ALLOWED, up.outcome());
            assertEquals("\"dev-burst\";r=1999;t=1", up.rateLimit(), "metered through the cluster");

            cluster.close();
            TestCluster.await(() -> engine.decide(DEV, "GET", "/pets").outcome() == Outcome.UNAVAILABLE, 30_000,
                    "the client to lose the cluster");

            long start = System.nanoTime();
            Decision closed = engine.decide(DEV, "GET", "/pets");
            long closedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Outcome.UNAVAILABLE, closed.outcome(), "dev fails closed (the default)");
            assertEquals(503, closed.outcome().status());
            assertEquals("{\"message\":\"Service Unavailable\"}", closed.outcome().jsonBody());
            assertEquals(1, closed.retryAfterSeconds());
            assertNull(closed.rateLimit(), "nothing was metered");
            assertTrue(closedMillis < 5_000, "the request thread did not hang: " + closedMillis + " ms");

            Decision open = engine.decide(OPEN, "GET", "/pets");
            assertEquals(Outcome.ALLOWED, open.outcome(), "the lenient plan fails open");
            assertNull(open.rateLimit(), "let through unmetered");
            assertTrue(engine.failedOpenCount() >= 1);
            assertTrue(engine.failedClosedCount() >= 2);
        } finally {
            store.close();
            cluster.close();
        }
    }
}
