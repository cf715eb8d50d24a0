package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Alerts;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsageAlert;
import io.usageplans.UsagePlans;
import io.usageplans.spi.UsageListener;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Alerts on two real Hazelcast members, in exact and lease mode: each quota threshold and the first throttling are heard
 * once per key and period by the two applications together, whichever member's request crossed it.
 */
class AlertsAcrossMembersTest {

    enum Mode { EXACT, LEASE }

    static final String SMALL = "alerts-small-key-0123456789";
    static final String BURSTY = "alerts-bursty-key-0123456789";
    static final String BIG = "alerts-big-key-01234567890123";

    static Catalog catalog() {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("small").throttle(Throttle.rateLimit(1000).burstLimit(2000))
                        .quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test")
                        .alerts(Alerts.quota(80, 100)).build())
                .plan(Plan.builder("bursty").throttle(Throttle.rateLimit(1).burstLimit(2)).stage("test")
                        .alerts(Alerts.quota().withFirstThrottle()).build())
                .plan(Plan.builder("big").throttle(Throttle.rateLimit(1_000_000).burstLimit(1_000_000))
                        .quota(Quota.limit(10_000).period(QuotaPeriod.DAY)).stage("test")
                        .alerts(Alerts.quota(50, 80, 100)).build())
                .apiKey(ApiKey.builder("small-customer").value(SMALL).plans("small").build())
                .apiKey(ApiKey.builder("bursty-customer").value(BURSTY).plans("bursty").build())
                .apiKey(ApiKey.builder("big-customer").value(BIG).plans("big").build())
                .build();
    }

    @ParameterizedTest(name = "{0} mode")
    @EnumSource(Mode.class)
    void eachThresholdIsHeardOncePerKeyAndPeriodByTwoMembersTogether(Mode mode) {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        try (TestCluster cluster = TestCluster.start(2)) {
            List<UsagePlans> engines = new ArrayList<>();
            List<LeasingUsageStore> leases = new ArrayList<>();
            for (HazelcastInstance member : cluster.members) {
                HazelcastUsageStore store = HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(10))
                        .shareKeys(false).build();
                LeasingUsageStore leasing = mode == Mode.LEASE
                        ? new LeasingUsageStore(store, clock, Duration.ofMillis(100), false) : null;
                if (leasing != null) {
                    leases.add(leasing);
                }
                String name = "member " + engines.size();
                engines.add(UsagePlans.builder(catalog()).stage("test").clock(clock).discoverListeners(false)
                        .store(leasing == null ? store : leasing).listener(new UsageListener() {
                            @Override
                            public void onDecision(Decision decision, String stage, String httpMethod, String path) {
                            }

                            @Override
                            public void onAlert(UsageAlert alert) {
                                heard.add(alert.key() + " " + alert.kind() + " " + alert.threshold() + " "
                                        + alert.periodStart());
                            }
                        }).build());
            }
            for (int i = 0; i < 12; i++) {
                assertEquals(i < 10 ? Outcome.ALLOWED : Outcome.QUOTA_EXCEEDED,
                        engines.get(i % 2).decide(SMALL, "GET", "/pets").outcome(), "request " + (i + 1));
                assertEquals(i < 2 ? Outcome.ALLOWED : Outcome.THROTTLED,
                        engines.get(i % 2).decide(BURSTY, "GET", "/pets").outcome(), "bursty request " + (i + 1));
            }
            int allowed = 0;
            for (int round = 0; round < 220; round++) {
                UsagePlans engine = engines.get(round % 3 == 0 ? 1 : 0); // uneven: allowances granted and given back
                for (int i = 0; i < 50; i++) {
                    if (engine.decide(BIG, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                        allowed++;
                    }
                }
                clock.advance(Duration.ofMillis(60));
                leases.forEach(LeasingUsageStore::syncNow);
            }
            assertEquals(10_000, allowed);
            long granted = leases.stream().mapToLong(l -> l.totals().granted()).sum();
            assertTrue(mode == Mode.EXACT || granted > 0, "lease mode granted allowances: " + granted);
            clock.advance(Duration.ofDays(1)); // a new period: each threshold once more
            for (int i = 0; i < 9; i++) {
                engines.get(i % 2).decide(SMALL, "GET", "/pets");
            }
            engines.forEach(UsagePlans::close); // waits for the alert claims under way
            leases.forEach(LeasingUsageStore::close);
        }
        assertEquals(List.of(
                "big-customer QUOTA 100 2027-03-10T00:00:00Z",
                "big-customer QUOTA 50 2027-03-10T00:00:00Z",
                "big-customer QUOTA 80 2027-03-10T00:00:00Z",
                "bursty-customer FIRST_THROTTLE 0 2027-03-10T00:00:00Z",
                "small-customer QUOTA 100 2027-03-10T00:00:00Z",
                "small-customer QUOTA 80 2027-03-10T00:00:00Z",
                "small-customer QUOTA 80 2027-03-11T00:00:00Z"), heard.stream().sorted().toList());
    }
}
