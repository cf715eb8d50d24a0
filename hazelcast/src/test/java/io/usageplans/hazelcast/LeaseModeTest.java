package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.ClusterApps.daily;
import static io.usageplans.hazelcast.ClusterApps.keyValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.usageplans.Decision.Outcome;
import io.usageplans.Throttle;
import io.usageplans.hazelcast.ClusterApps.App;
import io.usageplans.hazelcast.ClusterApps.Mode;
import io.usageplans.store.lease.LeasingUsageStore.AllowanceTotals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The invariants of lease mode on real members, each checked in both cluster modes: exact (one entry processor per
 * decision) and lease (allowances settled when the test says so, time moved by hand). One cluster of two and one of
 * three members serve the whole class; each test starts from an empty state map.
 */
class LeaseModeTest {

    private static final Map<Integer, TestCluster> CLUSTERS = new HashMap<>();

    /** A cluster of {@code size} members with no key state in it. */
    private static synchronized TestCluster cluster(int size) {
        TestCluster cluster = CLUSTERS.computeIfAbsent(size, TestCluster::start);
        cluster.members.get(0).getMap(HazelcastUsageStore.STATE_MAP).clear();
        return cluster;
    }

    @AfterAll
    static synchronized void stopClusters() {
        CLUSTERS.values().forEach(TestCluster::close);
        CLUSTERS.clear();
    }

    static Stream<Arguments> modesAndSizes() {
        return Stream.of(Arguments.of(Mode.EXACT, 2), Arguments.of(Mode.LEASE, 2), Arguments.of(Mode.EXACT, 3),
                Arguments.of(Mode.LEASE, 3));
    }

    @ParameterizedTest(name = "{0} mode, {1} members")
    @MethodSource("modesAndSizes")
    void twoHundredConcurrentRequestsAgainstAQuotaOfHundredAllowExactlyHundredSpreadOverMembers(Mode mode, int size)
            throws Exception {
        try (ClusterApps apps = ClusterApps.on(cluster(size), mode,
                ClusterApps.catalog("hundred", Throttle.rateLimit(100_000).burstLimit(100_000), daily(100), 1))) {
            String key = keyValue("hundred", 0);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Outcome>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    App app = apps.app(i % size);
                    results.add(pool.submit(() -> {
                        start.await();
                        return app.decide(key);
                    }));
                }
                Future<?> syncing = pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 50 && !results.stream().allMatch(Future::isDone); round++) {
                        apps.syncAll();
                    }
                    return null;
                });
                start.countDown();
                int[] allowedOn = new int[size];
                int allowed = 0;
                for (int i = 0; i < results.size(); i++) {
                    Outcome outcome = results.get(i).get(60, TimeUnit.SECONDS);
                    if (outcome == Outcome.ALLOWED) {
                        allowed++;
                        allowedOn[i % size]++;
                    } else {
                        assertEquals(Outcome.QUOTA_EXCEEDED, outcome, "request " + i + " is refused for its quota, nothing else");
                    }
                }
                syncing.get(60, TimeUnit.SECONDS);

                assertEquals(100, allowed, "exactly the quota, across " + size + " members");
                for (int m = 0; m < size; m++) {
                    assertTrue(allowedOn[m] > 0, "member " + m + " admitted some: " + java.util.Arrays.toString(allowedOn));
                }
                apps.goIdle();
                assertEquals(100, ClusterApps.counter(apps.app(0), "hundred-0", "hundred"), "the store counted each once");
                assertEquals(0, apps.totals().granted(), "no allowance near a limit: a quota of 100 is decided on the store");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest(name = "{0} mode, {1} members")
    @MethodSource("modesAndSizes")
    void membersTogetherNeverAdmitMoreThanTheBurstAndExactlyTheBurstOnceIdleMembersGaveTheirsBack(Mode mode, int size) {
        // 1,000 tokens, one more each second: the clock stands still, so nothing refills while members spend
        try (ClusterApps apps = ClusterApps.on(cluster(size), mode,
                ClusterApps.catalog("burst", Throttle.rateLimit(1).burstLimit(1000), null, 1))) {
            String key = keyValue("burst", 0);
            int admitted = 0;
            int round = 0;
            boolean anyAllowed = true;
            while (anyAllowed && round < 100) {
                anyAllowed = false;
                for (App app : apps.live()) {
                    for (int i = 0; i < 30; i++) {
                        if (app.decide(key) == Outcome.ALLOWED) {
                            admitted++;
                            anyAllowed = true;
                        }
                    }
                }
                apps.syncAll();
                round++;
                assertTrue(admitted <= 1000, "all members together admitted " + admitted + " of a burst of 1000 by round " + round);
            }
            apps.goIdle();
            for (App app : apps.live()) {
                AllowanceTotals totals = app.totals();
                assertEquals(0, totals.held(), "a member idle for one interval holds nothing: " + totals);
                assertEquals(totals.granted(), totals.spent() + totals.returned(), "every unit spent or returned: " + totals);
            }
            while (admitted < 1100 && apps.app(0).decide(key) == Outcome.ALLOWED) {
                admitted++;
            }

            assertEquals(1000, admitted, "exactly the burst once the allowances are back (0.1 s passed: no whole token)");
            if (mode == Mode.LEASE) {
                assertTrue(apps.totals().spent() > 500, "most of the burst went through allowances: " + apps.totals());
            }
        }
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(Mode.class)
    void threeMembersShareABigQuotaWithAllowancesAndCountItExactly(Mode mode) {
        try (ClusterApps apps = ClusterApps.on(cluster(3), mode,
                ClusterApps.catalog("big", Throttle.rateLimit(100_000).burstLimit(100_000), daily(5000), 1))) {
            String key = keyValue("big", 0);
            int admitted = 0;
            int round = 0;
            boolean anyAllowed = true;
            while (anyAllowed && round < 200) {
                anyAllowed = false;
                for (App app : apps.live()) {
                    for (int i = 0; i < 70; i++) {
                        if (app.decide(key) == Outcome.ALLOWED) {
                            admitted++;
                            anyAllowed = true;
                        }
                    }
                }
                apps.syncAll();
                round++;
                assertTrue(admitted <= 5000, "admitted " + admitted + " by round " + round);
            }

            assertEquals(5000, admitted, "the whole quota, and not one more");
            assertEquals(5000, ClusterApps.counter(apps.app(0), "big-0", "big"), "the store's counter");
            apps.goIdle();
            assertEquals(5000, ClusterApps.counter(apps.app(1), "big-0", "big"), "nothing given back once all is spent");
            AllowanceTotals totals = apps.totals();
            assertEquals(0, totals.held());
            assertEquals(totals.granted(), totals.spent() + totals.returned(), "every unit spent or returned: " + totals);
            if (mode == Mode.LEASE) {
                assertTrue(totals.spent() >= 3000, "most requests were decided from allowances: " + totals);
            }
        }
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(Mode.class)
    void aKeyServedByOneMemberAloneIsNeverRefusedWhileItHasQuota(Mode mode) {
        try (ClusterApps apps = ClusterApps.on(cluster(2), mode,
                ClusterApps.catalog("alone", Throttle.rateLimit(100_000).burstLimit(100_000), daily(3000), 1))) {
            String key = keyValue("alone", 0);
            App a = apps.app(0);
            App b = apps.app(1);
            for (int i = 0; i < 100; i++) {
                assertEquals(Outcome.ALLOWED, a.decide(key), "request " + (i + 1) + " on a");
            }
            a.sync();
            if (mode == Mode.LEASE) {
                assertTrue(a.totals().held() > 0, "a busy member holds an allowance: " + a.totals());
            }

            apps.goIdle();
            assertEquals(0, a.totals().held(), "a holds nothing one interval after its last request");
            for (int i = 100; i < 3000; i++) {
                assertEquals(Outcome.ALLOWED, b.decide(key), "request " + (i + 1) + " of 3000, on b alone");
                if (i % 50 == 49) {
                    b.sync();
                }
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, b.decide(key), "request 3001");
            assertEquals(Outcome.QUOTA_EXCEEDED, a.decide(key), "request 3002, on a");
            apps.goIdle();
            assertEquals(3000, ClusterApps.counter(a, "alone-0", "alone"));
            if (mode == Mode.LEASE) {
                AllowanceTotals totals = b.totals();
                assertTrue(totals.spent() > 1000, "b decided most from allowances: " + totals);
                assertEquals(totals.granted(), totals.spent() + totals.returned(), "b accounted for every unit: " + totals);
            }
        }
    }
}
