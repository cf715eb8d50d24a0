package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.StageSettings;
import io.usageplans.Throttle;
import io.usageplans.hazelcast.ClusterApps.Mode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A stage throttle is one bucket for all callers on every member: shared across the cluster, never over. */
class StageThrottleClusterTest {

    private static final int KEYS = 6;

    private static Catalog catalog() {
        Catalog plans = ClusterApps.catalog("roomy", Throttle.rateLimit(1000).burstLimit(1000), ClusterApps.daily(100_000), KEYS);
        Catalog.Builder builder = Catalog.builder().stage(StageSettings.of("test").withThrottle("/x/GET",
                Throttle.rateLimit(2).burstLimit(10)));
        plans.plans().forEach(builder::plan);
        plans.apiKeys().forEach(builder::apiKey);
        return builder.build();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aStageBurstOfTenAdmitsExactlyTenFromSixKeysOnTwoMembers(Mode mode) throws Exception {
        try (TestCluster cluster = TestCluster.start(2); ClusterApps apps = ClusterApps.on(cluster, mode, catalog())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                assertEquals(10, admitted(apps, pool, 60), "the stage's burst of 10, for all keys on both members");
                apps.syncAll(); // lease mode: a round changes nothing for the stage bucket
                assertEquals(0, admitted(apps, pool, 12), "the bucket is empty on both members");

                apps.clock.advance(Duration.ofSeconds(1));
                assertEquals(2, admitted(apps, pool, 20), "rate 2 per second: two more, wherever they arrive");

                apps.clock.advance(Duration.ofSeconds(10));
                apps.syncAll();
                assertEquals(10, admitted(apps, pool, 30), "full again after 5 s, and no fuller");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void keylessClientsAndStageBucketsKeepNoUsageHistoryInTheCluster() throws Exception {
        Catalog plans = catalog();
        Catalog.Builder builder = Catalog.builder().stage(plans.stageSettings("test").orElseThrow()
                .withKeyless("/signup/POST", "signup"));
        plans.plans().forEach(builder::plan);
        builder.plan(io.usageplans.Plan.builder("signup").throttle(Throttle.rateLimit(1).burstLimit(5)).build());
        plans.apiKeys().forEach(builder::apiKey);
        try (TestCluster cluster = TestCluster.start(2); ClusterApps apps = ClusterApps.on(cluster, Mode.EXACT, builder.build())) {
            assertEquals(Outcome.ALLOWED, apps.app(0).engine().decide(null, "198.51.100.7", "POST", "/signup").outcome());
            assertEquals(Outcome.ALLOWED, apps.app(1).engine().decide(ClusterApps.keyValue("roomy", 0), "GET", "/x").outcome());
            long today = java.time.LocalDate.of(2027, 3, 10).toEpochDay();
            HazelcastUsageStore store = apps.app(0).store();
            assertEquals(0, store.dailyUsage(io.usageplans.spi.UsageStore.clientStateKey("198.51.100.7", "signup"), today, today)
                    .size(), "a keyless client is counted, not reported: its entry expires once idle");
            assertEquals(0, store.dailyUsage(io.usageplans.spi.UsageStore.stageStateKey("api", "test", "/x/GET"), today, today)
                    .size());
            assertEquals(1, store.dailyUsage(io.usageplans.spi.UsageStore.stateKey("roomy-0", "roomy"), today, today).size(),
                    "a key's usage is kept for reports");
        }
    }

    /** {@code requests} decisions, spread over every key and both members, at once; how many passed. */
    private static int admitted(ClusterApps apps, ExecutorService pool, int requests) throws Exception {
        List<Future<Decision>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            ClusterApps.App app = apps.app(i % 2);
            String key = ClusterApps.keyValue("roomy", i % KEYS);
            answers.add(pool.submit(() -> app.engine().decide(key, "GET", "/x")));
        }
        int passed = 0;
        for (Future<Decision> answer : answers) {
            Decision decision = answer.get();
            if (decision.passes()) {
                passed++;
            } else {
                assertEquals(Outcome.THROTTLED, decision.outcome());
                assertEquals(Decision.Limit.STAGE_THROTTLE, decision.refusedBy());
                assertEquals("stage-/x/GET", decision.violatedPolicy());
            }
        }
        return passed;
    }
}
