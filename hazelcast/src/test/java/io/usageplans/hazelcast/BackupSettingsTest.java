package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.Test;

/** Backups of the state map: synchronous unless the user opts in to asynchronous ones; no member starts here. */
class BackupSettingsTest {

    private static MapConfig stateMap(Map<String, String> settings) {
        Config config = HazelcastStoreProvider.memberConfig(settings::get, BackupSettingsTest.class.getClassLoader());
        return config.getMapConfig(HazelcastUsageStore.STATE_MAP);
    }

    @Test
    void theStateMapKeepsOneSynchronousBackupByDefault() {
        MapConfig state = stateMap(Map.of());
        assertEquals(1, state.getBackupCount());
        assertEquals(0, state.getAsyncBackupCount());
    }

    @Test
    void asyncBackupsTrueMakesTheStateMapsBackupAsynchronous() {
        MapConfig state = stateMap(Map.of("usageplans.hazelcast.async-backups", "true"));
        assertEquals(0, state.getBackupCount());
        assertEquals(1, state.getAsyncBackupCount());
    }

    @Test
    void asyncBackupsKeepsTheBackupCountFromSettings() {
        MapConfig state = stateMap(Map.of("usageplans.hazelcast.async-backups", "TRUE", "usageplans.hazelcast.backup-count", "2"));
        assertEquals(0, state.getBackupCount());
        assertEquals(2, state.getAsyncBackupCount());
    }

    @Test
    void asyncBackupsFalseKeepsSynchronousBackups() {
        MapConfig state = stateMap(Map.of("usageplans.hazelcast.async-backups", "false", "usageplans.hazelcast.backup-count", "2"));
        assertEquals(2, state.getBackupCount());
        assertEquals(0, state.getAsyncBackupCount());
    }

    @Test
    void aBadAsyncBackupsValueFailsStartUpNamingTheSettingBeforeAMemberStarts() {
        Map<String, String> settings = Map.of("usageplans.hazelcast.async-backups", "yes");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> new HazelcastStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader()));
        assertEquals("usage-plans: usageplans.hazelcast.async-backups: must be true or false, was 'yes'", e.getMessage());
    }

    @Test
    void asyncBackupsInClientModeFailsStartUpNamingTheSetting() {
        Map<String, String> settings = Map.of("usageplans.hazelcast.async-backups", "true", "usageplans.hazelcast.mode", "client");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> new HazelcastStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader()));
        assertEquals("usage-plans: usageplans.hazelcast.async-backups: applies to the member this store starts (mode=member);"
                + " in client mode set async-backup-count of map 'usage-plans-state' in the cluster's own Hazelcast configuration",
                e.getMessage());
    }

    @Test
    void configureLeavesTheUsersBackupsAsTheyAre() {
        Config defaults = HazelcastUsageStore.configure(new Config());
        assertEquals(1, defaults.getMapConfig(HazelcastUsageStore.STATE_MAP).getBackupCount());
        assertEquals(0, defaults.getMapConfig(HazelcastUsageStore.STATE_MAP).getAsyncBackupCount());

        Config users = new Config();
        users.getMapConfig(HazelcastUsageStore.STATE_MAP).setBackupCount(0).setAsyncBackupCount(2);
        HazelcastUsageStore.configure(users);
        assertEquals(0, users.getMapConfig(HazelcastUsageStore.STATE_MAP).getBackupCount());
        assertEquals(2, users.getMapConfig(HazelcastUsageStore.STATE_MAP).getAsyncBackupCount());
    }

    @Test
    void aMemberStartedWithAsyncBackupsRunsWithThemAndStillCountsExactly() {
        String port = Integer.toString(FreePorts.loopback());
        Map<String, String> settings = Map.of("usageplans.hazelcast.cluster-name", "async-" + UUID.randomUUID(),
                "usageplans.hazelcast.port", port, "usageplans.hazelcast.members", "127.0.0.1:" + port,
                "usageplans.hazelcast.timeout", "2000", "usageplans.cluster.mode", "exact",
                "usageplans.hazelcast.async-backups", "true");
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        UsageStore store = new HazelcastStoreProvider().create(settings::get, clock, getClass().getClassLoader());
        try (UsagePlans engine = UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).ownedStore(store).build()) {
            MapConfig running = ((HazelcastUsageStore) store).hazelcast().getConfig().getMapConfig(HazelcastUsageStore.STATE_MAP);
            assertEquals(0, running.getBackupCount());
            assertEquals(1, running.getAsyncBackupCount());
            for (int i = 0; i < 10; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(TestCluster.BASIC, "GET", "/pets").outcome());
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(TestCluster.BASIC, "GET", "/pets").outcome());
        }
    }
}
