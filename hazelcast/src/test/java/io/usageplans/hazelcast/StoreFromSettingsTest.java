package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.StoreSetting;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.Test;

/** Switching to the cluster is a configuration change: usageplans.store=hazelcast and a few settings. */
class StoreFromSettingsTest {

    @Test
    void theHazelcastStoreIsFoundByNameAndStartsAnEmbeddedMemberFromSettings() {
        String port = Integer.toString(FreePorts.loopback());
        Map<String, String> settings = Map.of("usageplans.store", "hazelcast",
                "usageplans.hazelcast.cluster-name", "settings-" + UUID.randomUUID(),
                "usageplans.hazelcast.port", port, "usageplans.hazelcast.members", "127.0.0.1:" + port,
                "usageplans.hazelcast.timeout", "2000");
        UsageStoreProvider provider = StoreSetting.provider(settings::get, getClass().getClassLoader()).orElseThrow();
        assertEquals("hazelcast", provider.name());
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        UsageStore store = provider.create(settings::get, clock, getClass().getClassLoader());
        try (UsagePlans engine = UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).ownedStore(store).build()) {
            assertTrue(store instanceof LeasingUsageStore, "lease mode is the default");
            HazelcastUsageStore hazelcast = (HazelcastUsageStore) ((LeasingUsageStore) store).shared();
            for (int i = 0; i < 10; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(TestCluster.BASIC, "GET", "/pets").outcome());
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(TestCluster.BASIC, "GET", "/pets").outcome());
            assertEquals(1, hazelcast.hazelcast().getCluster().getMembers().size());
            assertEquals("hazelcast, lease mode every 100 ms", store.kind());
        }
    }

    @Test
    void exactModeFromSettingsIsTheHazelcastStoreItself() {
        String port = Integer.toString(FreePorts.loopback());
        Map<String, String> settings = Map.of("usageplans.store", "hazelcast",
                "usageplans.hazelcast.cluster-name", "settings-" + UUID.randomUUID(),
                "usageplans.hazelcast.port", port, "usageplans.hazelcast.members", "127.0.0.1:" + port,
                "usageplans.cluster.mode", "exact");
        try (UsageStore store = new HazelcastStoreProvider().create(settings::get, java.time.Clock.systemUTC(),
                getClass().getClassLoader())) {
            assertTrue(store instanceof HazelcastUsageStore);
            assertEquals("hazelcast", store.kind());
        }
    }

    @Test
    void anUnknownClusterModeFailsStartUpNamingTheSettingBeforeAMemberStarts() {
        Map<String, String> settings = Map.of("usageplans.cluster.mode", "eventual");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> new HazelcastStoreProvider().create(settings::get, java.time.Clock.systemUTC(), getClass().getClassLoader()));
        assertEquals("usage-plans: usageplans.cluster.mode: unknown cluster mode 'eventual'; use lease (the default) or exact",
                e.getMessage());
    }

    @Test
    void anUnknownModeFailsStartUpNamingTheSetting() {
        Map<String, String> settings = Map.of("usageplans.hazelcast.mode", "satellite");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> new HazelcastStoreProvider().create(settings::get, java.time.Clock.systemUTC(), getClass().getClassLoader()));
        assertEquals("usage-plans: usageplans.hazelcast.mode: unknown mode 'satellite'; use member, client, instance or jndi",
                e.getMessage());
    }

    @Test
    void aWarmUpTimeoutThatIsNotAWholeNumberOfMillisecondsFailsStartUpNamingTheSetting() {
        for (String value : new String[] {"-1", "10s"}) {
            Map<String, String> settings = Map.of("usageplans.hazelcast.warm-up-timeout", value);
            UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                    () -> new HazelcastStoreProvider().create(settings::get, java.time.Clock.systemUTC(), getClass().getClassLoader()));
            assertEquals("usage-plans: usageplans.hazelcast.warm-up-timeout: must be a whole number of milliseconds, 0 or more, "
                    + "was '" + value + "'", e.getMessage());
        }
    }
}
