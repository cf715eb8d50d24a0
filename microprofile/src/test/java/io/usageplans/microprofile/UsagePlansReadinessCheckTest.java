package io.usageplans.microprofile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.FailMode;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.hazelcast.HazelcastUsageStore;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.FreePorts;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The readiness check {@code usage-plans} over a local store and over a real Hazelcast cluster that goes away. */
class UsagePlansReadinessCheckTest {

    private static Catalog catalog(FailMode failMode) {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20))
                        .quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage(ApiStage.of("test")).failMode(failMode).build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(2000)).stage(ApiStage.of("test"))
                        .failMode(failMode).build())
                .apiKey(ApiKey.builder("basic-customer").value("demo-basic-key-0123456789").plans("basic").build())
                .apiKey(ApiKey.builder("dev-customer").value("demo-dev-key-0123456789").plans("dev").build())
                .build();
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }

    @Test
    void localStoreIsUpWithStorePlansKeysAndMetering() {
        try (UsagePlans engine = UsagePlans.builder(catalog(FailMode.CLOSED)).stage("test").build()) {
            HealthCheckResponse response = new UsagePlansReadinessCheck(() -> engine).call();
            assertEquals("usage-plans", response.getName());
            assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
            assertEquals(Map.of("store", "local", "clusterMembers", 1L, "plans", "basic,dev", "keys", 2L, "metering", "on"),
                    data(response));
        }
    }

    @Test
    void engineNotStartedYetIsDown() {
        HealthCheckResponse response = new UsagePlansReadinessCheck(() -> {
            throw new IllegalStateException("not started");
        }).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals(Map.of("state", "not started"), data(response));
    }

    @Test
    void failClosedStoreIsDownOnceItsClusterStopsAndMeteringOffIsUp() {
        String cluster = "readiness-" + UUID.randomUUID();
        int port = FreePorts.loopback();
        Config config = new Config().setClusterName(cluster);
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        HazelcastInstance member = Hazelcast.newHazelcastInstance(HazelcastUsageStore.configure(config));
        try {
            ClientConfig client = new ClientConfig().setClusterName(cluster);
            client.getNetworkConfig().addAddress("127.0.0.1:" + port);
            client.getConnectionStrategyConfig().setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC);
            client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1)
                    .setInitialBackoffMillis(100).setMaxBackoffMillis(500);
            HazelcastUsageStore store = HazelcastUsageStore.builder(HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(client)))
                    .ownsInstance(true).warmUp(Duration.ZERO).build();
            try (UsagePlans engine = UsagePlans.builder(catalog(FailMode.CLOSED)).stage("test").ownedStore(store).build()) {
                UsagePlansReadinessCheck check = new UsagePlansReadinessCheck(() -> engine);
                HealthCheckResponse up = check.call();
                assertEquals(HealthCheckResponse.Status.UP, up.getStatus(), () -> data(up).toString());
                assertEquals(1L, data(up).get("clusterMembers"));
                assertEquals("hazelcast", data(up).get("store"));

                member.shutdown();
                HealthCheckResponse down = Await.until(check::call, r -> r.getStatus() == HealthCheckResponse.Status.DOWN,
                        Duration.ofSeconds(30), "readiness DOWN after the cluster stopped");
                assertEquals("basic,dev", data(down).get("failClosedPlans"));
                assertEquals("not connected to the Hazelcast cluster", data(down).get("storeProblem"));
                assertEquals(0L, data(down).get("clusterMembers"));

                engine.setEnabled(false); // nothing is refused while metering is off
                assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
            }
        } finally {
            member.shutdown();
        }
    }

    @Test
    void failOpenPlansKeepReadinessUpWithoutTheirCluster() {
        ClientConfig client = new ClientConfig().setClusterName("readiness-nowhere-" + UUID.randomUUID());
        client.getNetworkConfig().addAddress("127.0.0.1:" + FreePorts.loopback());
        client.getConnectionStrategyConfig().setAsyncStart(true)
                .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC);
        HazelcastUsageStore store = HazelcastUsageStore.builder(HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(client)))
                .ownsInstance(true).warmUp(Duration.ZERO).shareKeys(false).build();
        try (UsagePlans open = UsagePlans.builder(catalog(FailMode.OPEN)).stage("test").ownedStore(store).build()) {
            HealthCheckResponse response = new UsagePlansReadinessCheck(() -> open).call();
            assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
            assertEquals(0L, data(response).get("clusterMembers"));
            assertEquals("", data(response).get("failClosedPlans"));
            assertTrue(((String) data(response).get("storeProblem")).contains("not connected"), data(response).toString());
        }
    }
}
