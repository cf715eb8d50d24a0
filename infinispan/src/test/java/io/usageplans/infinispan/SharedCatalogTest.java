package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.usageplans.ApiKey;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
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
}
