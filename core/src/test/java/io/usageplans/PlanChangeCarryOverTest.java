package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;

import io.usageplans.Decision.Outcome;
import io.usageplans.config.PlanFile;
import io.usageplans.manage.QuotaStatus;
import io.usageplans.manage.UsageReport;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * A plan changed while the engine runs ({@link UsagePlans#planDirectory()}) takes effect at the next request, on the
 * state the key has: a higher burst adds its difference to the tokens left, a changed quota limit applies to the
 * period's counter, and the RateLimit fields name the new policy.
 */
class PlanChangeCarryOverTest {

    static final String KEY = "carry-over-key-0123456789";

    static final String PLANS = """
            plans:
              - name: basic
                throttle: { rateLimit: 5, burstLimit: 5 }
                quota: { limit: 10, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: customer, value: carry-over-key-0123456789, plans: [basic] }
            """;

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");

    private UsagePlans engine() {
        return UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock)
                .discoverListeners(false).build();
    }

    private static Plan withThrottle(Plan plan, Throttle throttle) {
        return new Plan(plan.name(), plan.description(), throttle, plan.quota(), plan.apiStages(), plan.failMode(),
                plan.enabled(), plan.throttleCountStatuses(), plan.quotaCountStatuses(), plan.shadow(), plan.alerts());
    }

    private static Plan withQuotaLimit(Plan plan, long limit) {
        Quota quota = new Quota(limit, plan.quota().period(), plan.quota().offset(), plan.quota().timeZone());
        return new Plan(plan.name(), plan.description(), plan.throttle(), quota, plan.apiStages(), plan.failMode(),
                plan.enabled(), plan.throttleCountStatuses(), plan.quotaCountStatuses(), plan.shadow(), plan.alerts());
    }

    @Test
    void raisedBurstLetsTheNextRequestThroughWithTheNewPolicyInItsRateLimitFields() {
        try (UsagePlans engine = engine()) {
            for (int i = 1; i <= 5; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome(), "request " + i);
            }
            assertEquals(Outcome.THROTTLED, engine.decide(KEY, "GET", "/pets").outcome(), "the burst of 5 is used up");

            engine.planDirectory().update("basic", plan -> withThrottle(plan, Throttle.rateLimit(5).burstLimit(50)));
            Decision next = engine.decide(KEY, "GET", "/pets");

            assertEquals(Outcome.ALLOWED, next.outcome());
            assertTrue(next.rateLimitPolicy().contains("\"basic-burst\";q=50;w=10"), next.rateLimitPolicy());
            assertTrue(next.rateLimit().contains("\"basic-burst\";r=44;t=2"), "45 tokens came with the burst: " + next.rateLimit());
            int more = 0;
            while (engine.decide(KEY, "GET", "/pets").outcome() == Outcome.ALLOWED && more < 100) {
                more++;
            }
            assertEquals(4, more, "the quota of 10 stops it after 10 in all");
        }
    }

    @Test
    void raisedQuotaLimitLetsTheEleventhRequestThroughAndRefusesTheTwentyFirst() {
        try (UsagePlans engine = engine()) {
            engine.planDirectory().update("basic", plan -> withThrottle(plan, Throttle.rateLimit(100).burstLimit(100)));
            for (int i = 1; i <= 10; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome(), "request " + i);
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(KEY, "GET", "/pets").outcome());

            engine.planDirectory().update("basic", plan -> withQuotaLimit(plan, 20));
            Decision eleventh = engine.decide(KEY, "GET", "/pets");

            assertEquals(Outcome.ALLOWED, eleventh.outcome());
            assertTrue(eleventh.rateLimitPolicy().contains("\"basic-day\";q=20;w=86400"), eleventh.rateLimitPolicy());
            assertTrue(eleventh.rateLimit().contains("\"basic-day\";r=9;"), eleventh.rateLimit());
            for (int i = 12; i <= 20; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome(), "request " + i);
            }
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(KEY, "GET", "/pets").outcome(), "request 21");
        }
    }

    @Test
    void loweredQuotaLimitBelowWhatWasUsedRefusesTheNextRequestAndReadsZeroRemainingEverywhere() {
        try (UsagePlans engine = engine()) {
            engine.planDirectory().update("basic", plan -> withThrottle(plan, Throttle.rateLimit(100).burstLimit(100)));
            for (int i = 1; i <= 8; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome(), "request " + i);
            }

            engine.planDirectory().update("basic", plan -> withQuotaLimit(plan, 5));
            Decision next = engine.decide(KEY, "GET", "/pets");

            assertEquals(Outcome.QUOTA_EXCEEDED, next.outcome());
            assertTrue(next.rateLimit().contains("\"basic-day\";r=0;"), next.rateLimit());
            QuotaStatus status = engine.admin().quota("basic", "customer");
            assertEquals(8, status.used());
            assertEquals(0, status.remaining());
            LocalDate today = LocalDate.of(2026, 11, 25);
            UsageReport report = engine.admin().usage("basic", today, today, "customer");
            assertEquals(List.of(new UsageReport.Day(8, 0L)), report.items().get("customer"));
        }
    }
}
