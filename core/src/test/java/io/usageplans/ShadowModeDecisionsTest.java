package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.PlanFile;
import io.usageplans.config.Settings;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * What shadow (report-only) mode covers: a plan's {@code shadow: true} lets through what its own limits and scope
 * refuse; {@code usageplans.shadow} lets through every refusal (403s of unknown keys, stage throttles, a store that
 * cannot answer). A would-refuse charges nothing; enforcing plans keep "refused by any level consumes from none".
 */
class ShadowModeDecisionsTest {

    static final String TRIAL = "shadow-trial-key-0123456789";
    static final String BASIC = "enforced-basic-key-0123456789";

    static final String PLANS = """
            plans:
              - name: trial
                shadow: true
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 10, period: DAY }
                apiStages: [ { stage: test } ]
              - name: basic
                throttle: { rateLimit: 100, burstLimit: 100 }
                quota: { limit: 10, period: DAY }
                apiStages: [ { stage: test } ]
              - name: premium
                apiStages: [ { stage: test } ]
            stages:
              - stage: test
                throttle:
                  "/pets/GET": { rateLimit: 1, burstLimit: 2 }
            apiKeys:
              - { name: trial-customer, value: shadow-trial-key-0123456789, plans: [trial] }
              - { name: basic-customer, value: enforced-basic-key-0123456789, plans: [basic] }
            """;

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");

    private UsagePlans engine(boolean shadow, UsageStore store, List<RouteDefinition> routes) {
        UsagePlans.Builder builder = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock)
                .discoverListeners(false).shadow(shadow).routes(routes);
        return store == null ? builder.build() : builder.store(store).build();
    }

    @Test
    void aPlanInShadowModeStillObeysTheStageThrottleThatIsEveryCallersButChargesNothingForIt() {
        try (UsagePlans engine = engine(false, null, List.of())) {
            assertEquals(Outcome.ALLOWED, engine.decide(TRIAL, "GET", "/pets").outcome());
            assertEquals(Outcome.ALLOWED, engine.decide(TRIAL, "GET", "/pets").outcome());
            Decision third = engine.decide(TRIAL, "GET", "/pets");
            assertFalse(third.passes(), "the stage's bucket is not the plan's");
            assertEquals(Decision.Limit.STAGE_THROTTLE, third.refusedBy());
            // refused by the stage: the caller's quota got its unit back
            String after = engine.decide(TRIAL, "GET", "/other").rateLimit();
            assertTrue(after.contains("\"trial-day\";r=7;t=50400"), "2 allowed and this one: " + after);
        }
    }

    @Test
    void theGlobalSettingLetsStageThrottlesAndUnknownKeysThroughAndAWouldRefuseChargesNothing() {
        try (UsagePlans engine = engine(true, null, List.of())) {
            assertTrue(engine.shadow());
            engine.decide(BASIC, "GET", "/pets");
            engine.decide(BASIC, "GET", "/pets");
            Decision third = engine.decide(BASIC, "GET", "/pets");
            assertTrue(third.passes());
            assertTrue(third.wouldRefuse());
            assertEquals(Outcome.THROTTLED, third.outcome());
            assertEquals(Decision.Limit.STAGE_THROTTLE, third.refusedBy());
            assertEquals(1, third.retryAfterSeconds(), "what enforcing would have said");
            assertTrue(third.rateLimit().contains("\"basic-day\";r=8"), third.rateLimit());

            Decision unknown = engine.decide("unknown-key-value-0123456789", "GET", "/pets");
            assertTrue(unknown.passes());
            assertTrue(unknown.wouldRefuse());
            assertEquals(ForbiddenReason.UNKNOWN_KEY, unknown.forbiddenReason());
            assertFalse(unknown.sendsRateLimitFields());
            assertThrows(IllegalStateException.class, unknown::rejection, "no refusal is written for it");
            assertEquals(Map.of(), engine.counters().forbiddenByReason(), "forbidden counts only what was refused");

            engine.setShadow(false);
            assertFalse(engine.decide("unknown-key-value-0123456789", "GET", "/pets").passes(), "live, with the next request");
        }
    }

    @Test
    void aShadowPlanServesMethodsItMayNotCallWhileAnEnforcingPlanIsRefused() {
        List<RouteDefinition> routes = List.of(new RouteDefinition("com.acme.Reports#export",
                MethodKey.parse("/export/GET"), Set.of("premium"), null, Set.of(), false, "com.acme.Reports#export"));
        try (UsagePlans engine = engine(false, null, routes)) {
            Decision trial = engine.decide(TRIAL, "GET", "/export");
            assertTrue(trial.passes());
            assertTrue(trial.wouldRefuse());
            assertEquals(ForbiddenReason.PLAN_NOT_ALLOWED, trial.forbiddenReason());
            Decision basic = engine.decide(BASIC, "GET", "/export");
            assertFalse(basic.passes());
            assertEquals(ForbiddenReason.PLAN_NOT_ALLOWED, basic.forbiddenReason());
        }
    }

    @Test
    void aShadowPlanThatFailsClosedServesWhileTheStoreCannotAnswer() {
        UsageStore down = new UsageStore() {
            final LocalUsageStore local = LocalUsageStore.create(clock, java.time.Duration.ZERO);

            @Override
            public Consumption tryConsume(MeteringRequest request) {
                throw new UsageStoreUnavailableException("no answer within 500 ms", null);
            }

            @Override
            public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
                local.refund(request, planBucket, methodBucket, quota);
            }

            @Override
            public void close() {
                local.close();
            }
        };
        List<Decision> heard = new ArrayList<>();
        try (UsagePlans engine = engine(false, down, List.of())) {
            engine.addListener((decision, stage, method, path) -> heard.add(decision));
            Decision trial = engine.decide(TRIAL, "GET", "/other");
            assertTrue(trial.passes());
            assertTrue(trial.wouldRefuse());
            assertEquals(Outcome.UNAVAILABLE, trial.outcome());
            assertEquals(503, engine.decide(BASIC, "GET", "/other").outcome().status());
            assertEquals(Map.of(Outcome.FORBIDDEN, 0L, Outcome.THROTTLED, 0L, Outcome.QUOTA_EXCEEDED, 0L, Outcome.UNAVAILABLE, 1L),
                    engine.counters().wouldRefuseByPlan().get("trial"));
            assertEquals(2, heard.size());
            assertTrue(heard.get(0).wouldRefuse());
            assertFalse(heard.get(1).wouldRefuse());
        }
    }

    @Test
    void completingAWouldRefuseGivesNothingBackForItChargedNothing() {
        try (UsagePlans engine = UsagePlans.builder(Catalog.builder()
                        .plan(Plan.builder("trial").quota(Quota.limit(2).period(QuotaPeriod.DAY)).stage("test").shadow(true)
                                .quotaCountStatuses(StatusSet.parse("2xx")).build())
                        .apiKey(ApiKey.builder("trial-customer").value(TRIAL).plans("trial").build()).build())
                .stage("test").clock(clock).discoverListeners(false).build()) {
            engine.complete(engine.decide(TRIAL, "GET", "/a"), 200);
            engine.complete(engine.decide(TRIAL, "GET", "/a"), 200);
            Decision third = engine.decide(TRIAL, "GET", "/a");
            assertTrue(third.wouldRefuse());
            engine.complete(third, 500); // a 500 would give an allowed request's unit back: this one took none
            assertEquals("\"trial-day\";r=0;t=50400", engine.decide(TRIAL, "GET", "/a").rateLimit());
        }
    }

    @Test
    void theSettingIsReadLikeEveryOtherAndABadValueFailsStartUpNamingWhereItCameFrom() {
        Catalog catalog = PlanFile.parse(PLANS, "plans.yaml");
        Map<String, String> params = Map.of("usageplans.shadow", "TRUE", "usageplans.stage", "test");
        try (UsagePlans engine = EngineBootstrap.of(Settings.of(params::get, null), null).catalog(catalog).clock(clock).build()) {
            assertTrue(engine.shadow());
        }
        Map<String, String> bad = Map.of("usageplans.shadow", "on", "usageplans.stage", "test");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> EngineBootstrap.of(Settings.of(bad::get, null), null).catalog(catalog).build().close());
        assertEquals("usage-plans: init-param usageplans.shadow: must be true or false, was 'on'", e.getMessage());
        try (UsagePlans engine = EngineBootstrap.of(Settings.of(Map.of("usageplans.stage", "test")::get, null), null)
                .catalog(catalog).clock(clock).build()) {
            assertFalse(engine.shadow(), "enforcing unless set");
        }
    }

    @Test
    void onlyARefusalHasAShadow() {
        try (UsagePlans engine = engine(false, null, List.of())) {
            Decision allowed = engine.decide(BASIC, "GET", "/other");
            assertThrows(IllegalArgumentException.class, () -> Decision.wouldRefuse(allowed));
            assertThrows(IllegalArgumentException.class, () -> Decision.wouldRefuse(Decision.NOT_METERED));
        }
    }
}
