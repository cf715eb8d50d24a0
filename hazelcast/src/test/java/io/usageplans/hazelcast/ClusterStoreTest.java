package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.TestCluster.BASIC;
import static io.usageplans.hazelcast.TestCluster.BULK;
import static io.usageplans.hazelcast.TestCluster.DEV;
import static io.usageplans.hazelcast.TestCluster.PREMIUM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Three real members on loopback, one engine on each, the same plans: limits hold across the cluster. */
class ClusterStoreTest {

    private static TestCluster cluster;

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private final List<UsagePlans> engines = new ArrayList<>();
    private final List<HazelcastUsageStore> stores = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void startEngines(TestInfo test) {
        String map = "state-" + test.getTestMethod().orElseThrow().getName();
        for (HazelcastInstance member : cluster.members) {
            HazelcastUsageStore store = HazelcastUsageStore.builder(member).mapName(map).timeout(Duration.ofSeconds(5)).build();
            stores.add(store);
            engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).store(store).build());
        }
    }

    @AfterEach
    void stopEngines() {
        engines.forEach(UsagePlans::close);
        stores.forEach(HazelcastUsageStore::close);
    }

    @Test
    void premiumBurstOfFortySpreadAcrossThreeMembersLetsExactlyFortyThrough() {
        int allowed = 0;
        for (int i = 0; i < 60; i++) {
            Decision d = engines.get(i % 3).decide(PREMIUM, "GET", "/pets");
            if (d.outcome() == Outcome.ALLOWED) {
                allowed++;
            } else {
                assertEquals(Outcome.THROTTLED, d.outcome());
                assertEquals(1, d.retryAfterSeconds());
            }
        }
        assertEquals(40, allowed, "the clock did not move: no token was refilled");
        clock.advance(Duration.ofMillis(500)); // 20 per second: exactly 10 tokens come back
        int refilled = 0;
        for (int i = 0; i < 30; i++) {
            if (engines.get(i % 3).decide(PREMIUM, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                refilled++;
            }
        }
        assertEquals(10, refilled);
    }

    @Test
    void basicsTenPerDayAreTenAcrossAllMembers() {
        for (int i = 0; i < 10; i++) {
            Decision d = engines.get(i % 3).decide(BASIC, "GET", "/pets");
            assertEquals(Outcome.ALLOWED, d.outcome(), "request " + (i + 1));
            assertEquals("\"basic-burst\";r=" + (19 - i) + ";t=1, \"basic-day\";r=" + (9 - i) + ";t=43200", d.rateLimit());
        }
        for (UsagePlans engine : engines) {
            Decision d = engine.decide(BASIC, "GET", "/pets");
            assertEquals(Outcome.QUOTA_EXCEEDED, d.outcome());
            assertEquals(43200, d.retryAfterSeconds());
        }
        clock.set(Instant.parse("2027-03-11T00:00:00Z"));
        assertEquals(Outcome.ALLOWED, engines.get(2).decide(BASIC, "GET", "/pets").outcome(), "a new day on every member");
    }

    @Test
    void methodThrottleIsSharedAndARejectedRequestConsumesNothing() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Outcome.ALLOWED, engines.get(i).decide(PREMIUM, "GET", "/pets/" + i).outcome());
        }
        Decision fourth = engines.get(0).decide(PREMIUM, "GET", "/pets/9");
        assertEquals(Outcome.THROTTLED, fourth.outcome());
        assertEquals("\"premium-/pets/{petId}/GET\";r=0;t=3, \"premium-burst\";r=37;t=1, \"premium-day\";r=97;t=43200",
                fourth.rateLimit(), "the method throttle refused: no plan token, no quota used");
    }

    @Test
    void aQuotaOfOneHundredHitConcurrentlyFromAllMembersLetsExactlyOneHundredThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                UsagePlans engine = engines.get(t % 3);
                results.add(pool.submit(() -> {
                    start.await();
                    int ok = 0;
                    for (int i = 0; i < 50; i++) {
                        if (engine.decide(BULK, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            start.countDown();
            int allowed = 0;
            for (Future<Integer> result : results) {
                allowed += result.get(60, TimeUnit.SECONDS);
            }
            assertEquals(100, allowed, "300 requests from 6 threads on 3 members");
            assertEquals(100, stores.get(0).usage("bulk-customer", "bulk").quotaUsedIn(
                    Instant.parse("2027-03-10T00:00:00Z").toEpochMilli()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKeyDisabledOnOneMemberIsRejectedOnAnotherWithinOneSecond() {
        assertEquals(Outcome.ALLOWED, engines.get(1).decide(DEV, "GET", "/pets").outcome());
        stores.get(0).catalog().setEnabled("dev-team", false);
        try {
            TestCluster.await(() -> engines.get(1).decide(DEV, "GET", "/pets").forbiddenReason()
                    == Decision.ForbiddenReason.DISABLED_KEY, 1_000, "member 2 to see the key disabled");
            TestCluster.await(() -> engines.get(2).decide(DEV, "GET", "/pets").outcome() == Outcome.FORBIDDEN, 1_000,
                    "member 3 to see the key disabled");
        } finally {
            stores.get(0).catalog().setEnabled("dev-team", true);
            TestCluster.await(() -> engines.get(1).decide(DEV, "GET", "/pets").passes(), 1_000, "the key enabled again");
        }
    }

    @Test
    void aKeyAddedOrMovedOnOneMemberIsEnforcedOnTheOthers() {
        String value = "new-partner-key-0123456789";
        stores.get(2).catalog().putKey(io.usageplans.ApiKey.builder("partner").value(value).plans("basic").build());
        try {
            TestCluster.await(() -> engines.get(0).decide(value, "GET", "/pets").passes(), 1_000, "member 1 to know the new key");
            stores.get(2).catalog().setPlans("partner", List.of("premium"));
            TestCluster.await(() -> "premium".equals(engines.get(1).decide(value, "GET", "/pets").planName()), 1_000,
                    "member 2 to meter the key under premium");
        } finally {
            stores.get(2).catalog().removeKey("partner");
        }
    }

    @Test
    void oneDecisionIsOneOperationOnTheCluster() {
        long before = operations();
        for (int i = 0; i < 30; i++) {
            engines.get(i % 3).decide(DEV, "GET", "/pets");
        }
        engines.get(0).decide("unknown-key-0123456789", "GET", "/pets");
        assertEquals(30, operations() - before, "30 metered decisions, each one entry-processor call; the unknown key none");
    }

    /** Operations the members executed on this test's state map (gets, puts, entry processors...). */
    private long operations() {
        return operations(stores.get(0).mapName());
    }

    private static long operations(String map) {
        long total = 0;
        for (HazelcastInstance member : cluster.members) {
            var stats = member.getMap(map).getLocalMapStats();
            total += stats.getGetOperationCount() + stats.getPutOperationCount() + stats.getSetOperationCount()
                    + stats.getRemoveOperationCount() + stats.getOtherOperationCount();
        }
        return total;
    }

    @Test
    void countOnly2xxGivesTheUnitsOfFailuresBackExactlyOnceAcrossMembers() {
        int successes = 0;
        for (int i = 0; i < 30 && successes < 10; i++) {
            Decision d = engines.get(i % 3).decide(TestCluster.SUCCESSES, "GET", "/pets");
            assertEquals(Outcome.ALLOWED, d.outcome(), "request " + i);
            boolean fail = i % 2 == 0 && i < 10;
            engines.get(i % 3).complete(d, fail ? 500 : 200);
            engines.get(i % 3).complete(d, fail ? 500 : 200); // completing twice gives nothing back twice
            if (!fail) {
                successes++;
            }
        }
        assertEquals(10, successes);
        assertEquals(Outcome.QUOTA_EXCEEDED, engines.get(1).decide(TestCluster.SUCCESSES, "GET", "/pets").outcome());
    }

    @Test
    void theCallerSideFallbackIsAsExactAndCostsMoreRoundTrips() throws Exception {
        List<UsagePlans> fallback = new ArrayList<>();
        List<HazelcastUsageStore> fallbackStores = new ArrayList<>();
        for (HazelcastInstance member : cluster.members) {
            HazelcastUsageStore store = HazelcastUsageStore.builder(member).mapName("state-caller-side").decideOnCaller(true)
                    .shareKeys(false).timeout(Duration.ofSeconds(10)).build();
            fallbackStores.add(store);
            fallback.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).store(store).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                UsagePlans engine = fallback.get(t % 3);
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 40; i++) {
                        if (engine.decide(BULK, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int allowed = 0;
            for (Future<Integer> result : results) {
                allowed += result.get(60, TimeUnit.SECONDS);
            }
            assertEquals(100, allowed, "240 racing requests, quota 100");
            long before = operations("state-caller-side");
            fallback.get(0).decide(DEV, "GET", "/pets");
            long perDecision = operations("state-caller-side") - before;
            assertTrue(perDecision >= 2, "a get and a write at least: " + perDecision);
        } finally {
            pool.shutdownNow();
            fallback.forEach(UsagePlans::close);
        }
    }

    @Test
    void idleEntriesExpireAndMemoryFollowsActiveKeys() {
        HazelcastUsageStore shortLived = HazelcastUsageStore.builder(cluster.members.get(0)).mapName("state-expiry")
                .usageReportDays(0).shareKeys(false).build();
        clock.set(Instant.parse("2027-03-10T23:59:58Z")); // basic's quota period ends in 2 s, its bucket refills in 0.1 s
        try (UsagePlans engine = UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock).store(shortLived).build()) {
            assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
            assertEquals(Outcome.ALLOWED, engine.decide(DEV, "GET", "/pets").outcome());
            assertEquals(2, shortLived.size());
            // Hazelcast sweeps expired entries in the background every few seconds: a bound that a loaded machine still meets
            TestCluster.await(() -> shortLived.size() == 0, 30_000, "idle entries to expire");
        } finally {
            shortLived.close();
        }
    }
}
