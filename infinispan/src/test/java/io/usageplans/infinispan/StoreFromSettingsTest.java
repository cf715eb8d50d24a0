package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import org.infinispan.lifecycle.ComponentStatus;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision.Outcome;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.StoreSetting;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Switching to Infinispan is a configuration change: usageplans.store=infinispan and a few settings. */
class StoreFromSettingsTest {

    static final String BASIC = "demo-basic-key-0123456789";

    static Catalog catalog() {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(10).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC).plans("basic").build())
                .build();
    }

    @Test
    void theInfinispanStoreIsFoundByNameAndStartsAnEmbeddedNodeFromSettings() {
        String port = Integer.toString(FreePorts.loopback());
        Map<String, String> settings = Map.of("usageplans.store", "infinispan",
                "usageplans.infinispan.cluster-name", "settings-" + UUID.randomUUID(),
                "usageplans.infinispan.port", port, "usageplans.infinispan.members", "127.0.0.1:" + port,
                "usageplans.infinispan.timeout", "2000");
        UsageStoreProvider provider = StoreSetting.provider(settings::get, getClass().getClassLoader()).orElseThrow();
        assertEquals("infinispan", provider.name());
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        UsageStore store = provider.create(settings::get, clock, getClass().getClassLoader());
        InfinispanUsageStore infinispan = store.unwrap(InfinispanUsageStore.class).orElseThrow();
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).ownedStore(store).build()) {
            assertTrue(store instanceof LeasingUsageStore, "lease mode is the default");
            for (int i = 0; i < 10; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(BASIC, "GET", "/pets").outcome());
            assertEquals(1, infinispan.cacheManager().getMembers().size());
            assertEquals("infinispan, lease mode every 100 ms", store.kind());
        }
        assertEquals(ComponentStatus.TERMINATED, infinispan.cacheManager().getStatus(), "the store stops the node it started");
    }

    @Test
    void givenModeUsesTheApplicationsCacheManagerAndLeavesItRunning() {
        TestGrid grid = TestGrid.shared();
        InfinispanCaches.use(grid.nodes.get(0));
        try {
            Map<String, String> settings = Map.of("usageplans.infinispan.mode", "given", "usageplans.cluster.mode", "exact",
                    "usageplans.infinispan.state-cache", "given-" + UUID.randomUUID());
            UsageStore store = new InfinispanStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
            assertTrue(store instanceof InfinispanUsageStore, "exact mode: the store itself");
            assertEquals("infinispan", store.kind());
            assertTrue(((InfinispanUsageStore) store).cacheManager() == grid.nodes.get(0));
            store.close();
            assertEquals(ComponentStatus.RUNNING, grid.nodes.get(0).getStatus(), "the application's cache manager keeps running");
        } finally {
            InfinispanCaches.use(null);
        }
    }

    @Test
    void anInfinispanXmlFromSettingsConfiguresTheCacheManager(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("infinispan.xml");
        Files.writeString(file, """
                <infinispan>
                  <cache-container shutdown-hook="DONT_REGISTER">
                    <local-cache name="my-state"/>
                  </cache-container>
                </infinispan>
                """);
        Map<String, String> settings = Map.of("usageplans.infinispan.config", file.toString(),
                "usageplans.infinispan.state-cache", "my-state", "usageplans.cluster.mode", "exact");
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        UsageStore store = new InfinispanStoreProvider().create(settings::get, clock, getClass().getClassLoader());
        try (UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).ownedStore(store).build()) {
            assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
            InfinispanUsageStore infinispan = (InfinispanUsageStore) store;
            assertEquals("my-state", infinispan.stateCache().getName());
            assertEquals(1, infinispan.stateCache().size(), "the key's state is in the configured cache");
            assertFalse(infinispan.cacheManager().getCacheManagerConfiguration().isClustered());
        }
    }

    @Test
    void badSettingsFailStartUpNamingTheSettingAndTheValue(@TempDir Path dir) {
        assertEquals("usage-plans: usageplans.infinispan.mode: unknown mode 'satellite'; use embedded, wildfly (jndi) or given",
                failure(Map.of("usageplans.infinispan.mode", "satellite")));
        assertEquals("usage-plans: usageplans.infinispan.timeout: must be a positive whole number, was '0'",
                failure(Map.of("usageplans.infinispan.timeout", "0")));
        assertEquals("usage-plans: usageplans.infinispan.members: '127.0.0.1:x' is not host or host:port",
                failure(Map.of("usageplans.infinispan.members", "127.0.0.1:x")));
        assertEquals("usage-plans: usageplans.cluster.mode: unknown cluster mode 'eventual'; use lease (the default) or exact",
                failure(Map.of("usageplans.cluster.mode", "eventual")));
        String missing = dir.resolve("nowhere.xml").toString();
        assertEquals("usage-plans: usageplans.infinispan.config: no Infinispan configuration at " + missing
                + " (neither a file nor a class-path resource)", failure(Map.of("usageplans.infinispan.config", missing)));
        assertEquals("usage-plans: usageplans.infinispan.mode: is 'given', but the application passed no cache manager: call "
                + "InfinispanCaches.use(cacheManager) before the engine starts", failure(Map.of("usageplans.infinispan.mode", "given")));
        String jndi = failure(Map.of("usageplans.infinispan.mode", "wildfly"));
        assertTrue(jndi.startsWith("usage-plans: usageplans.infinispan.jndi-name: no Infinispan cache container at JNDI name "
                + "'java:jboss/infinispan/container/server': "), jndi);
        assertTrue(jndi.endsWith("give the deployment the module dependency org.infinispan.core (see the README)"), jndi);
    }

    private String failure(Map<String, String> settings) {
        return assertThrows(UsagePlansConfigException.class,
                () -> new InfinispanStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader())).getMessage();
    }
}
