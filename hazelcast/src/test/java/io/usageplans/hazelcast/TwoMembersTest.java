package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.TestCluster.BASIC;
import static io.usageplans.hazelcast.TestCluster.PREMIUM;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The smallest cluster: two application servers, each with an embedded member. */
class TwoMembersTest {

    @Test
    void twoMembersShareTheBurstAndTheDailyQuota() {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (TestCluster cluster = TestCluster.start(2)) {
            List<UsagePlans> engines = new ArrayList<>();
            for (var member : cluster.members) {
                engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build());
            }
            int premium = 0;
            for (int i = 0; i < 50; i++) {
                if (engines.get(i % 2).decide(PREMIUM, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                    premium++;
                }
            }
            assertEquals(40, premium, "premium's burst of 40 is shared");
            int basic = 0;
            for (int i = 0; i < 14; i++) {
                if (engines.get(i % 2).decide(BASIC, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                    basic++;
                }
            }
            assertEquals(10, basic, "basic's 10 per day are 10 across both");

            // weights: a cost-5 method uses up a quota of 10 in two calls, whichever member takes them
            assertEquals(Outcome.ALLOWED, engines.get(0).decide(TestCluster.WEIGHTED, "GET", "/reports").outcome());
            assertEquals(Outcome.ALLOWED, engines.get(1).decide(TestCluster.WEIGHTED, "GET", "/reports").outcome());
            assertEquals(Outcome.QUOTA_EXCEEDED, engines.get(0).decide(TestCluster.WEIGHTED, "GET", "/reports").outcome());
            clock.advance(Duration.ofDays(1));
            // a shared bucket: /reports/daily and /reports/weekly take from one per-key bucket of 2
            assertEquals(Outcome.ALLOWED, engines.get(0).decide(TestCluster.WEIGHTED, "GET", "/reports/daily").outcome());
            assertEquals(Outcome.ALLOWED, engines.get(1).decide(TestCluster.WEIGHTED, "GET", "/reports/weekly").outcome());
            assertEquals(Outcome.THROTTLED, engines.get(0).decide(TestCluster.WEIGHTED, "GET", "/reports/weekly").outcome());
            engines.forEach(UsagePlans::close);
        }
    }
}
