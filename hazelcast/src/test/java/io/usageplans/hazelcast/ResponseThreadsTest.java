package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.hazelcast.config.Config;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * On 2 processors or fewer, {@link HazelcastUsageStore#configure} lets the IO threads complete remote calls (no
 * response threads), unless the operator set the count; decisions stay exact across members either way.
 */
class ResponseThreadsTest {

    @Test
    void onTwoProcessorsTheIoThreadsCompleteCallsUnlessTheOperatorSetTheCount() {
        assertEquals("0", HazelcastUsageStore.configure(new Config(), 2).getProperty(HazelcastUsageStore.RESPONSE_THREADS));
        assertEquals("0", HazelcastUsageStore.configure(new Config(), 1).getProperty(HazelcastUsageStore.RESPONSE_THREADS));
        assertNull(HazelcastUsageStore.configure(new Config(), 3).getProperty(HazelcastUsageStore.RESPONSE_THREADS),
                "larger machines keep Hazelcast's response threads");
        Config operatorsChoice = new Config().setProperty(HazelcastUsageStore.RESPONSE_THREADS, "2");
        assertEquals("2", HazelcastUsageStore.configure(operatorsChoice, 2).getProperty(HazelcastUsageStore.RESPONSE_THREADS));
    }

    @Test
    void twoHundredConcurrentRequestsOnTwoMembersGetExactlyTheQuotaOfOneHundred() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (TestCluster cluster = TestCluster.start(2)) {
            if (Runtime.getRuntime().availableProcessors() <= 2) {
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    assertTrue(!thread.getName().contains(".response-"), "no response thread on 2 cores: " + thread.getName());
                }
            }
            List<UsagePlans> engines = new ArrayList<>();
            for (var member : cluster.members) {
                engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(10)).build()).build());
            }
            ExecutorService callers = Executors.newFixedThreadPool(16);
            try {
                List<Future<Outcome>> outcomes = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    UsagePlans engine = engines.get(i % 2);
                    outcomes.add(callers.submit(() -> engine.decide(TestCluster.BULK, "GET", "/pets").outcome()));
                }
                int allowed = 0;
                int overQuota = 0;
                for (Future<Outcome> outcome : outcomes) {
                    Outcome result = outcome.get(30, TimeUnit.SECONDS);
                    allowed += result == Outcome.ALLOWED ? 1 : 0;
                    overQuota += result == Outcome.QUOTA_EXCEEDED ? 1 : 0;
                }
                assertEquals(100, allowed);
                assertEquals(100, overQuota);
            } finally {
                callers.shutdownNow();
                engines.forEach(UsagePlans::close);
            }
        }
    }
}
