package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.ApiKey;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.KeyDirectory;
import org.junit.jupiter.api.Test;

/**
 * Many keys changed at once on one member (an import, a plan-file reload) reach the other whole; each member compiles
 * its catalog once per batch it makes and once per burst it hears, not once per key.
 */
class KeyBatchesAcrossMembersTest {

    @Test
    void batchesOfKeyChangesOnOneMemberReachTheOtherWholeAndABadBatchChangesNothing() {
        try (TestCluster cluster = TestCluster.start(2)) {
            List<UsagePlans> engines = new ArrayList<>();
            for (var member : cluster.members) {
                engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test")
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build());
            }
            try {
                int before = engines.get(1).catalog().apiKeys().size();
                KeyDirectory first = engines.get(0).keyDirectory();
                List<ApiKey> imported = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    imported.add(ApiKey.builder("bulk-" + i).value(String.format("bulk-key-%06d-0123456789", i)).plans("basic").build());
                }
                first.add(imported);
                TestCluster.await(() -> engines.get(1).catalog().apiKeys().size() == before + 1_000, 10_000,
                        "the 1,000 keys on the other member");

                List<ApiKey> moved = imported.subList(0, 300).stream().map(key -> key.withPlans(List.of("premium"))).toList();
                first.replaceAll(moved);
                assertEquals(300, onPremium(engines.get(0)), "at once here");
                TestCluster.await(() -> onPremium(engines.get(1)) == 300, 10_000, "the 300 moved keys on the other member");
                assertEquals("\"premium-burst\";q=40;w=2", engines.get(1).decide("bulk-key-000299-0123456789", "GET", "/pets")
                        .rateLimitPolicy().split(",")[0]);

                assertEquals(List.of("bulk-998", "bulk-999"), first.removeAll(List.of("bulk-998", "bulk-999", "nobody")));
                TestCluster.await(() -> engines.get(1).catalog().apiKeys().size() == before + 998, 10_000,
                        "two keys gone on the other member");
                assertEquals(Outcome.FORBIDDEN, engines.get(1).decide("bulk-key-000999-0123456789", "GET", "/pets").outcome());

                List<ApiKey> bad = List.of(imported.get(400).withPlans(List.of("premium")), imported.get(401).withPlans(List.of("platinum")));
                assertThrows(UsagePlansConfigException.class, () -> first.replaceAll(bad));
                assertEquals(300, onPremium(engines.get(0)), "nothing changed");
                assertEquals(300, onPremium(engines.get(1)), "nothing changed");
            } finally {
                engines.forEach(UsagePlans::close);
            }
        }
    }

    private static long onPremium(UsagePlans engine) {
        return engine.catalog().apiKeys().stream().filter(key -> key.name().startsWith("bulk-") && key.plans().equals(List.of("premium"))).count();
    }
}
