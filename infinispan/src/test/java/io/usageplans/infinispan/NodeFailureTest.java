package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import org.junit.jupiter.api.Test;

/**
 * A node dies in the middle of a load (its JVM is killed: no goodbye): the two servers on the surviving nodes answer
 * every request, none with 5xx, no key is admitted over its quota, and no count the cluster acknowledged is lost.
 */
class NodeFailureTest {

    private static final int KEYS = 60;
    private static final int QUOTA = 10;

    @Test
    void aNodeKilledMidLoadCostsNo5xxNoOverAdmissionAndNoAcknowledgedCount() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Catalog.Builder builder = Catalog.builder().plan(Plan.builder("daily").throttle(Throttle.rateLimit(100_000).burstLimit(100_000))
                .quota(Quota.limit(QUOTA).period(QuotaPeriod.DAY)).stage("test").build());
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String value = "failover-key-" + String.format("%04d", k) + "-0123456789";
            keys.add(value);
            builder.apiKey(ApiKey.builder("k" + k).value(value).plans("daily").build());
        }
        Catalog catalog = builder.build();
        List<JettyApp> servers = new ArrayList<>();
        List<UsagePlans> engines = new ArrayList<>();
        try (TestGrid grid = TestGrid.start(3, 2)) {
            Process doomed = grid.launch(2);
            for (int node = 0; node < 2; node++) {
                UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock)
                        .store(grid.store(node, InfinispanUsageStore.STATE_CACHE, 10_000)).build();
                engines.add(engine);
                servers.add(TestServers.start(engine));
            }
            AtomicInteger[] allowed = new AtomicInteger[KEYS];
            for (int k = 0; k < KEYS; k++) {
                allowed[k] = new AtomicInteger();
            }
            Map<String, Integer> refusals = new ConcurrentHashMap<>();
            AtomicInteger done = new AtomicInteger();
            CountDownLatch underWay = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> loads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                loads.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        int k = (i * 7 + offset * 13) % KEYS;
                        HttpResponse<String> r = servers.get((i + offset) % 2).get("/x").header("x-api-key", keys.get(k)).send();
                        if (r.statusCode() == 200) {
                            allowed[k].incrementAndGet();
                        } else {
                            refusals.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
                        }
                        if (done.incrementAndGet() == 300) {
                            underWay.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertTrue(underWay.await(60, TimeUnit.SECONDS), "the load got under way");
            doomed.destroyForcibly(); // SIGKILL: a crash
            int atCrash = done.get();
            for (Future<?> load : loads) {
                load.get(120, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            assertEquals(1_200, done.get());
            assertTrue(atCrash < 1_000, "the node died mid-load, after " + atCrash + " of 1200 requests");
            grid.awaitMembers(2);
            assertTrue(refusals.keySet().stream().allMatch(answer -> answer.equals("429 {\"message\":\"Limit Exceeded\"}")),
                    "every refusal is the quota's 429, none a 5xx: " + refusals);
            InfinispanUsageStore reader = grid.store(0, InfinispanUsageStore.STATE_CACHE, 10_000);
            long day = Instant.parse("2027-03-10T00:00:00Z").toEpochMilli();
            long admitted = 0;
            long counted = 0;
            for (int k = 0; k < KEYS; k++) {
                assertTrue(allowed[k].get() <= QUOTA, "key k" + k + " admitted over its quota: " + allowed[k].get());
                KeyUsage usage = reader.usage("k" + k, "daily");
                long count = usage == null ? 0 : usage.quotaUsedIn(day);
                assertTrue(count >= allowed[k].get(), "key k" + k + " lost a count: " + count + " < " + allowed[k].get());
                admitted += allowed[k].get();
                counted += count;
            }
            // a write in flight when its owner died may be applied and then retried: counted twice, never lost
            assertTrue(counted - admitted <= 4, "at most one retried write per caller thread counts twice: " + (counted - admitted));
            assertEquals(KEYS * QUOTA, counted, "every key used up its quota of " + QUOTA + " (20 requests each)");
        } finally {
            for (JettyApp server : servers) {
                server.close();
            }
            engines.forEach(UsagePlans::close);
        }
    }
}
