package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.TestCluster.BULK;
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
import java.util.concurrent.atomic.AtomicInteger;

import io.usageplans.Quota;
import io.usageplans.Throttle;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision.Outcome;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** A member dies in the middle of a load: the survivors answer every request, and no acknowledged count is lost. */
class MemberFailureTest {

    @Test
    void aMemberKilledMidLoadLosesNoAcknowledgedCountAndFailsNoRequest() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        // 200 keys with a quota of 1,000,000: nothing is refused, so every ALLOWED is a count the cluster acknowledged
        Catalog.Builder builder = Catalog.builder()
                .plan(Plan.builder("big").throttle(Throttle.rateLimit(1_000_000).burstLimit(1_000_000)).quota(Quota.limit(1_000_000).period(QuotaPeriod.DAY)).stage("test").build());
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            String value = "failover-key-" + String.format("%04d", k) + "-0123456789";
            keys.add(value);
            builder.apiKey(ApiKey.builder("k" + k).value(value).plans("big").build());
        }
        Catalog catalog = builder.build();
        try (TestCluster cluster = TestCluster.start(3)) {
            List<UsagePlans> survivors = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                HazelcastUsageStore store = HazelcastUsageStore.builder(cluster.members.get(m)).timeout(Duration.ofSeconds(10))
                        .shareKeys(false).build();
                survivors.add(UsagePlans.builder(catalog).stage("test").clock(clock).store(store).build());
            }
            AtomicInteger[] allowedPerKey = new AtomicInteger[keys.size()];
            for (int k = 0; k < keys.size(); k++) {
                allowedPerKey[k] = new AtomicInteger();
            }
            AtomicInteger notAllowed = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            CountDownLatch halfway = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> loads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                UsagePlans engine = survivors.get(t % 2);
                int offset = t;
                loads.add(pool.submit(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        int k = (i * 7 + offset * 13) % keys.size();
                        if (engine.decide(keys.get(k), "GET", "/x").outcome() == Outcome.ALLOWED) {
                            allowedPerKey[k].incrementAndGet();
                        } else {
                            notAllowed.incrementAndGet();
                        }
                        if (done.incrementAndGet() == 2_000) {
                            halfway.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertTrue(halfway.await(60, TimeUnit.SECONDS), "the load reached half way");
            cluster.members.get(2).getLifecycleService().terminate(); // no goodbye: a crash
            for (Future<?> load : loads) {
                load.get(120, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            assertEquals(0, notAllowed.get(), "no request was refused or failed while a member died");
            HazelcastUsageStore reader = HazelcastUsageStore.builder(cluster.members.get(0)).shareKeys(false).build();
            long day = Instant.parse("2027-03-10T00:00:00Z").toEpochMilli();
            // A decision in flight when its owner died may be retried by Hazelcast on the new owner after the old one
            // applied it to the backup: counted twice, never lost. So: no key below what was acknowledged, and at most
            // one extra per caller thread in flight at the crash.
            long extra = 0;
            for (int k = 0; k < keys.size(); k++) {
                KeyUsage usage = reader.usage("k" + k, "big");
                long counted = usage == null ? 0 : usage.quotaUsedIn(day);
                assertTrue(counted >= allowedPerKey[k].get(), "key k" + k + " lost a count: " + counted + " < " + allowedPerKey[k].get());
                extra += counted - allowedPerKey[k].get();
            }
            assertTrue(extra <= 4, "at most one retried decision per caller thread is counted twice, found " + extra);
            survivors.forEach(UsagePlans::close);
        }
    }
}
