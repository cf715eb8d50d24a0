package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.usageplans.ApiKey;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.Test;

/** The key catalog is shared by every node: a key created, disabled or moved on one is enforced on the other within 1 s. */
class SharedCatalogTest {

    private static final String PARTNER = "partner-key-0123456789abcdef";

    @Test
    void aKeyCreatedOnOneNodeWorksOnTheOtherAndOnceDisabledThereIsRefusedOnTheFirst() {
        TestGrid grid = TestGrid.shared();
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        String state = "catalog-state-" + UUID.randomUUID();
        String keys = "catalog-keys-" + UUID.randomUUID();
        UsagePlans[] engines = new UsagePlans[2];
        InfinispanUsageStore[] stores = new InfinispanUsageStore[2];
        try {
            for (int node = 0; node < 2; node++) {
                InfinispanUsageStore.cache(grid.nodes.get(1 - node), keys, org.infinispan.configuration.cache.CacheMode.REPL_SYNC);
                InfinispanUsageStore.cache(grid.nodes.get(1 - node), state, org.infinispan.configuration.cache.CacheMode.DIST_SYNC);
                stores[node] = InfinispanUsageStore.builder(grid.nodes.get(node)).stateCache(state).keysCache(keys)
                        .timeout(Duration.ofSeconds(5)).build();
                engines[node] = UsagePlans.builder(StoreFromSettingsTest.catalog()).stage("test").clock(clock).store(stores[node]).build();
            }
            assertEquals(Outcome.FORBIDDEN, engines[1].decide(PARTNER, "GET", "/pets").outcome(), "no such key yet");

            stores[0].catalog().putKey(ApiKey.builder("partner").value(PARTNER).plans("basic").build());
            assertEquals(Outcome.ALLOWED, engines[0].decide(PARTNER, "GET", "/pets").outcome(), "at once on the node that made it");
            Await.until(() -> engines[1].decide(PARTNER, "GET", "/pets").outcome() == Outcome.ALLOWED, Duration.ofSeconds(1),
                    "the new key works on the other node within 1 s");

            stores[1].catalog().setEnabled("partner", false);
            Await.until(() -> engines[0].decide(PARTNER, "GET", "/pets").outcome() == Outcome.FORBIDDEN, Duration.ofSeconds(1),
                    "the key disabled on the other node is refused on the first within 1 s");

            stores[1].catalog().setEnabled("partner", true);
            Await.until(() -> engines[0].catalog().apiKeys().stream().anyMatch(k -> k.name().equals("partner") && k.enabled()),
                    Duration.ofSeconds(1), "enabled again everywhere");
            for (int i = 0; i < 20; i++) {
                engines[i % 2].decide(PARTNER, "GET", "/pets");
            }
            // with the requests the awaits let through, far more than 10: basic's 10 per day hold across both nodes
            assertEquals(10, stores[0].usage("partner", "basic").quotaUsedIn(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                    .toEpochMilli()), "basic's quota is shared by both nodes");
            assertEquals(Outcome.QUOTA_EXCEEDED, engines[1].decide(PARTNER, "GET", "/pets").outcome());

            stores[0].catalog().removeKey("partner");
            Await.until(() -> engines[1].decide(PARTNER, "GET", "/pets").outcome() == Outcome.FORBIDDEN, Duration.ofSeconds(1),
                    "a removed key is refused everywhere within 1 s");
            assertEquals(List.of("basic-customer"), engines[1].catalog().apiKeys().stream().map(ApiKey::name).toList());
        } finally {
            for (UsagePlans engine : engines) {
                if (engine != null) {
                    engine.close();
                }
            }
        }
    }

    @Test
    void batchesOfKeyChangesOnOneNodeReachTheOtherWholeAndABadBatchChangesNothing() {
        TestGrid grid = TestGrid.shared();
        String state = "batch-state-" + UUID.randomUUID();
        String keys = "batch-keys-" + UUID.randomUUID();
        UsagePlans[] engines = new UsagePlans[2];
        try {
            for (int node = 0; node < 2; node++) {
                InfinispanUsageStore.cache(grid.nodes.get(1 - node), keys, org.infinispan.configuration.cache.CacheMode.REPL_SYNC);
                InfinispanUsageStore.cache(grid.nodes.get(1 - node), state, org.infinispan.configuration.cache.CacheMode.DIST_SYNC);
                InfinispanUsageStore store = InfinispanUsageStore.builder(grid.nodes.get(node)).stateCache(state).keysCache(keys)
                        .timeout(Duration.ofSeconds(5)).build();
                engines[node] = UsagePlans.builder(StoreFromSettingsTest.catalog()).stage("test").store(store).build();
            }
            KeyDirectory first = engines[0].keyDirectory();
            List<ApiKey> imported = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                imported.add(ApiKey.builder("bulk-" + i).value(String.format("bulk-key-%06d-0123456789", i)).plans("basic").build());
            }
            first.add(imported);
            Await.until(() -> engines[1].catalog().apiKeys().size() == 1_001, Duration.ofSeconds(10), "the 1,000 keys on the other node");

            List<ApiKey> disabled = imported.subList(0, 300).stream().map(key -> key.withEnabled(false)).toList();
            first.replaceAll(disabled);
            assertEquals(300, engines[0].catalog().apiKeys().stream().filter(key -> !key.enabled()).count(), "at once here");
            Await.until(() -> engines[1].catalog().apiKeys().stream().filter(key -> !key.enabled()).count() == 300,
                    Duration.ofSeconds(10), "the 300 disabled keys on the other node");
            assertEquals(Outcome.FORBIDDEN, engines[1].decide("bulk-key-000299-0123456789", "GET", "/pets").outcome());
            assertEquals(Outcome.ALLOWED, engines[1].decide("bulk-key-000300-0123456789", "GET", "/pets").outcome());

            List<String> removed = first.removeAll(List.of("bulk-998", "bulk-999", "nobody"));
            assertEquals(List.of("bulk-998", "bulk-999"), removed);
            Await.until(() -> engines[1].catalog().apiKeys().size() == 999, Duration.ofSeconds(10), "two keys gone on the other node");

            List<ApiKey> bad = List.of(imported.get(400).withEnabled(false), imported.get(401).withPlans(List.of("platinum")));
            assertThrows(UsagePlansConfigException.class, () -> first.replaceAll(bad));
            assertEquals(300, engines[0].catalog().apiKeys().stream().filter(key -> !key.enabled()).count(), "nothing changed");
            assertEquals(300, engines[1].keyDirectory().keys().stream().filter(key -> !key.enabled()).count(), "nothing changed");
        } finally {
            for (UsagePlans engine : engines) {
                if (engine != null) {
                    engine.close();
                }
            }
        }
    }
}
