package io.usageplans.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.StageThrottle;
import io.usageplans.annotation.UsagePlan;
import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** @StageThrottle and @UsagePlan(keyless) read at start-up: what they mean, and every mistake named with its method. */
class StageAnnotationsTest {

    static class Resource {
        @StageThrottle(rate = 2, burst = 4)
        public void open() {
        }

        @UsagePlan(value = "basic", keyless = "basic")
        public void both() {
        }

        @UsagePlan(keyless = "basic")
        @MethodThrottle(rate = 1, burst = 2)
        public void keylessWithMethodThrottle() {
        }

        @UsagePlan(keyless = "gold")
        public void unknownPlan() {
        }

        @StageThrottle(rate = 1, burst = 0)
        public void zeroBurst() {
        }
    }

    private static RouteDefinition read(String method) throws NoSuchMethodException {
        Method m = Resource.class.getMethod(method);
        return AnnotatedRoutes.read(Resource.class, m, MethodKey.of("/" + method, "GET"), method).orElseThrow();
    }

    private static String problem(String method) {
        return assertThrows(UsagePlansConfigException.class, () -> read(method)).getMessage();
    }

    @Test
    void aStageThrottleAloneMetersOnlyTheSharedBucketAndNeedsNoKey() throws Exception {
        RouteDefinition route = read("open");
        assertEquals(Throttle.rateLimit(2).burstLimit(4), route.stageThrottle());
        Catalog catalog = Catalog.builder().plan(Plan.builder("basic").stage("test").build()).build();
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(MutableClock.at("2027-03-10T12:00:00Z"))
                .routes(List.of(route)).build()) {
            for (int i = 0; i < 4; i++) {
                Decision d = engine.decide(null, "GET", "/open");
                assertEquals(Decision.Outcome.ALLOWED, d.outcome(), "request " + (i + 1));
                assertEquals("\"stage-/open/GET\";q=4;w=2", d.rateLimitPolicy());
            }
            Decision fifth = engine.decide(null, "GET", "/open");
            assertEquals(Decision.Outcome.THROTTLED, fifth.outcome());
            assertEquals(Decision.Limit.STAGE_THROTTLE, fifth.refusedBy());
            assertEquals("\"stage-/open/GET\";r=0;t=2", fifth.rateLimit());
        }
    }

    @Test
    void mistakesStopStartUpNamingTheMethodTheAttributeAndTheValue() {
        assertTrue(problem("both").contains(Resource.class.getName() + "#both: @UsagePlan.keyless: keyless = \"basic\" meters "
                + "callers without a key, by client address, but plans [basic] are named too"), problem("both"));
        assertTrue(problem("keylessWithMethodThrottle").contains("#keylessWithMethodThrottle: @MethodThrottle: a keyless method"),
                problem("keylessWithMethodThrottle"));
        assertTrue(problem("zeroBurst").contains("#zeroBurst: @StageThrottle.burst: burst must be a whole number of requests of "
                + "at least 1, was 0"), problem("zeroBurst"));
        Catalog catalog = Catalog.builder().plan(Plan.builder("basic").stage("test").build()).build();
        UsagePlansConfigException unknown = assertThrows(UsagePlansConfigException.class, () ->
                UsagePlans.builder(catalog).stage("test").routes(List.of(read("unknownPlan"))).build().close());
        assertTrue(unknown.getMessage().contains("#unknownPlan: @UsagePlan.keyless: unknown plan 'gold'; the plan file defines [basic]"),
                unknown.getMessage());
    }
}
