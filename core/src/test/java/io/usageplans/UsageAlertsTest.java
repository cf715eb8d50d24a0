package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.usageplans.Decision.Outcome;
import io.usageplans.config.PlanFile;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * A plan's alerts are raised once per key, threshold and period by all members together: two engines on one store
 * (the store a cluster shares), exact and in lease mode. Closing an engine waits for its alert claims, so the counts
 * are final when asserted.
 */
class UsageAlertsTest {

    static final String ALICE = "alerts-alice-key-0123456789";
    static final String BOB = "alerts-bob-key-0123456789";

    static final String PLANS = """
            plans:
              - name: basic
                throttle: { rateLimit: 1000, burstLimit: 2000 }
                quota: { limit: 10, period: DAY, countStatuses: ["2xx"] }
                apiStages: [ { stage: test } ]
                alerts: { quota: [80, 100] }
              - name: burst
                throttle: { rateLimit: 1, burstLimit: 2 }
                apiStages: [ { stage: test } ]
                alerts: { firstThrottle: true }
              - name: big
                throttle: { rateLimit: 1000000, burstLimit: 1000000 }
                quota: { limit: 10000, period: DAY }
                apiStages: [ { stage: test } ]
                alerts: { quota: [50, 80, 100], firstThrottle: true }
            apiKeys:
              - { name: alice, value: alerts-alice-key-0123456789, plans: [basic] }
              - { name: bob, value: alerts-bob-key-0123456789, plans: [basic] }
              - { name: carol, value: alerts-carol-key-0123456789, plans: [burst] }
              - { name: dave, value: alerts-dave-key-01234567890, plans: [big] }
            """;

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    final ConcurrentLinkedQueue<UsageAlert> heard = new ConcurrentLinkedQueue<>();
    final UsageListener listener = new UsageListener() {
        @Override
        public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        }

        @Override
        public void onAlert(UsageAlert alert) {
            heard.add(alert);
        }
    };

    private UsagePlans member(UsageStore store) {
        return UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).discoverListeners(false)
                .listener(listener).store(store).build();
    }

    /** Bounded polling for the alert thread: at most 5 s until {@code count} alerts were heard. */
    private void awaitHeard(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (heard.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("heard " + heard() + ", expected " + count + " alerts within 5 s");
            }
            Thread.onSpinWait();
        }
    }

    private List<String> heard() {
        return heard.stream().map(a -> a.key() + " " + a.kind() + " " + a.threshold() + " " + a.periodStart() + " used "
                + a.used() + "/" + a.limit()).sorted().toList();
    }

    @Test
    void eachQuotaThresholdIsRaisedOncePerKeyAndPeriodAcrossTwoMembersOnOneStore() {
        try (LocalUsageStore shared = LocalUsageStore.create(clock, Duration.ZERO)) {
            UsagePlans one = member(shared);
            UsagePlans two = member(shared);
            for (int i = 0; i < 12; i++) {
                Decision d = (i % 2 == 0 ? one : two).decide(ALICE, "GET", "/pets");
                assertEquals(i < 10 ? Outcome.ALLOWED : Outcome.QUOTA_EXCEEDED, d.outcome(), "request " + (i + 1));
                // the member that crossed a threshold claims it before the other member's next request notes it too
                if (i == 7) {
                    awaitHeard(1);
                } else if (i == 9) {
                    awaitHeard(2);
                }
            }
            for (int i = 0; i < 7; i++) {
                (i % 2 == 0 ? two : one).decide(BOB, "GET", "/pets");
            }
            clock.advance(Duration.ofDays(1));
            for (int i = 0; i < 9; i++) {
                (i % 2 == 0 ? two : one).decide(ALICE, "GET", "/pets");
                if (i == 7) {
                    awaitHeard(3);
                }
            }
            one.close();
            two.close();
        }
        assertEquals(List.of(
                "alice QUOTA 100 2026-11-25T00:00:00Z used 10/10",
                "alice QUOTA 80 2026-11-25T00:00:00Z used 8/10",
                "alice QUOTA 80 2026-11-26T00:00:00Z used 8/10"), heard());
    }

    @Test
    void aThresholdCrossedAgainAfterARefundIsNotRaisedTwice() {
        try (LocalUsageStore shared = LocalUsageStore.create(clock, Duration.ZERO)) {
            UsagePlans one = member(shared);
            UsagePlans two = member(shared);
            for (int i = 0; i < 7; i++) {
                one.decide(ALICE, "GET", "/pets");
            }
            Decision eighth = one.decide(ALICE, "GET", "/pets");
            one.complete(eighth, 500); // not counted: the quota gives the unit back, 7 of 10 again
            assertEquals(Outcome.ALLOWED, two.decide(ALICE, "GET", "/pets").outcome()); // 8 of 10 again, on the other member
            one.close();
            two.close();
        }
        assertEquals(List.of("alice QUOTA 80 2026-11-25T00:00:00Z used 8/10"), heard());
    }

    @Test
    void theFirstThrottlingOfAKeyIsRaisedOncePerUtcDayWithoutQuotaAcrossTwoMembers() {
        String carol = "alerts-carol-key-0123456789";
        try (LocalUsageStore shared = LocalUsageStore.create(clock, Duration.ZERO)) {
            UsagePlans one = member(shared);
            UsagePlans two = member(shared);
            int throttled = 0;
            for (int i = 0; i < 8; i++) {
                if ((i % 2 == 0 ? one : two).decide(carol, "GET", "/pets").outcome() == Outcome.THROTTLED) {
                    throttled++;
                }
            }
            assertEquals(6, throttled);
            clock.advance(Duration.ofDays(1));
            for (int i = 0; i < 4; i++) {
                (i % 2 == 0 ? two : one).decide(carol, "GET", "/pets");
            }
            one.close();
            two.close();
        }
        assertEquals(List.of(
                "carol FIRST_THROTTLE 0 2026-11-25T00:00:00Z used 0/0",
                "carol FIRST_THROTTLE 0 2026-11-26T00:00:00Z used 0/0"), heard());
    }

    @Test
    void inLeaseModeEveryThresholdIsRaisedOnceThoughAllowancesAreGrantedAndGivenBackByTwoMembers() {
        String dave = "alerts-dave-key-01234567890";
        LocalUsageStore shared = LocalUsageStore.create(clock, Duration.ZERO);
        LeasingUsageStore leaseOne = new LeasingUsageStore(shared, clock, Duration.ofMillis(100), false);
        LeasingUsageStore leaseTwo = new LeasingUsageStore(shared, clock, Duration.ofMillis(100), false);
        UsagePlans one = member(leaseOne);
        UsagePlans two = member(leaseTwo);
        int allowed = 0;
        int quotaExceeded = 0;
        for (int round = 0; round < 220; round++) {
            UsagePlans member = round % 3 == 0 ? two : one; // uneven, so allowances are granted, spent and given back
            for (int i = 0; i < 50; i++) {
                Outcome outcome = member.decide(dave, "GET", "/pets").outcome();
                if (outcome == Outcome.ALLOWED) {
                    allowed++;
                } else if (outcome == Outcome.QUOTA_EXCEEDED) {
                    quotaExceeded++;
                }
            }
            clock.advance(Duration.ofMillis(60)); // less than an interval: the members' keys stay busy, not idle
            leaseOne.syncNow();
            leaseTwo.syncNow();
        }
        one.close();
        two.close();
        leaseOne.close();
        leaseTwo.close();
        assertEquals(10_000, allowed, "never over the quota");
        assertEquals(1_000, quotaExceeded);
        assertTrue(leaseOne.totals().granted() + leaseTwo.totals().granted() > 0, "allowances were granted");
        List<String> raised = heard.stream().map(a -> a.key() + " " + a.kind() + " " + a.threshold() + " " + a.periodStart())
                .sorted().toList();
        assertEquals(List.of(
                "dave QUOTA 100 2026-11-25T00:00:00Z",
                "dave QUOTA 50 2026-11-25T00:00:00Z",
                "dave QUOTA 80 2026-11-25T00:00:00Z"), raised);
        for (UsageAlert alert : heard) {
            long threshold = Alerts.threshold(10_000, alert.threshold());
            assertTrue(alert.used() >= threshold && alert.used() <= 10_000, alert.toString());
        }
    }

    @Test
    void aThresholdIsItsPercentageOfTheLimitRoundedUpAndAtLeastOne() {
        assertEquals(8, Alerts.threshold(10, 80));
        assertEquals(75, Alerts.threshold(150, 50));
        assertEquals(1, Alerts.threshold(1, 1));
        assertEquals(1, Alerts.threshold(3, 10));
        assertEquals(Long.MAX_VALUE, Alerts.threshold(Long.MAX_VALUE, 100));
        assertEquals(8_010_000_000_000_000_000L, Alerts.threshold(9_000_000_000_000_000_000L, 89));
    }

    @Test
    void theWebhookBodyNamesPlanKeyThresholdPeriodUsedLimitAndTime() {
        UsageAlert quota = new UsageAlert(UsageAlert.Kind.QUOTA, "basic", "alice \"a\"", "test", 80,
                Instant.parse("2026-11-25T00:00:00Z"), 8, 10, Instant.parse("2026-11-25T10:00:00Z"));
        assertEquals("{\"alert\":\"QUOTA\",\"plan\":\"basic\",\"key\":\"alice \\\"a\\\"\",\"stage\":\"test\",\"threshold\":80,"
                + "\"periodStart\":\"2026-11-25T00:00:00Z\",\"used\":8,\"limit\":10,\"time\":\"2026-11-25T10:00:00Z\"}",
                quota.toJson());
        UsageAlert throttle = new UsageAlert(UsageAlert.Kind.FIRST_THROTTLE, "burst", "carol", "test", 0,
                Instant.parse("2026-11-25T00:00:00Z"), 0, 0, Instant.parse("2026-11-25T10:00:00Z"));
        assertEquals("{\"alert\":\"FIRST_THROTTLE\",\"plan\":\"burst\",\"key\":\"carol\",\"stage\":\"test\",\"threshold\":null,"
                + "\"periodStart\":\"2026-11-25T00:00:00Z\",\"used\":null,\"limit\":null,\"time\":\"2026-11-25T10:00:00Z\"}",
                throttle.toJson());
    }

    @Test
    void theWebhookBodyEscapesControlCharactersAndMarkupInNames() {
        UsageAlert alert = new UsageAlert(UsageAlert.Kind.FIRST_THROTTLE, "<b>&</b>", "line\nbreak\u0001", "t\u00e9st", 0,
                Instant.parse("2026-11-25T00:00:00Z"), 0, 0, Instant.parse("2026-11-25T10:00:00Z"));
        assertEquals("{\"alert\":\"FIRST_THROTTLE\",\"plan\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\",\"key\":"
                + "\"line\\nbreak\\u0001\",\"stage\":\"t\u00e9st\",\"threshold\":null,\"periodStart\":\"2026-11-25T00:00:00Z\","
                + "\"used\":null,\"limit\":null,\"time\":\"2026-11-25T10:00:00Z\"}", alert.toJson());
    }
}
