package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.routing.RouteDefinition;

import org.junit.jupiter.api.Test;

/**
 * Problems of the plan file's method entries that only show when they meet the application's routes (a shared bucket
 * with two shapes, a cost no request could pay) are reported at the plan file's entry and line, even where the
 * method is also annotated.
 */
class MethodEntryProblemsTest {

    private static final String PLANS = """
            plans:
              - name: premium
                throttle: { rateLimit: 20, burstLimit: 40 }
                quota: { limit: 100, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "/usage/GET": { rateLimit: 1, burstLimit: 2, bucket: shared }
                      "/pets/GET":
                        rateLimit: 2
                        burstLimit: 4
                        bucket: shared
                      "/export/GET": { rateLimit: 1, burstLimit: 3, cost: 5 }
            apiKeys:
              - name: customer
                value: method-entry-key-0123456789
                plans: [premium]
            """;

    /** The application's annotated methods at the same paths, as the CDI or servlet adapter finds them. */
    private static final List<RouteDefinition> ANNOTATED = List.of(
            annotated("com.acme.UsageResource#usage", "/usage/GET"),
            annotated("com.acme.PetsResource#list", "/pets/GET"),
            annotated("com.acme.ExportResource#export", "/export/GET"));

    private static RouteDefinition annotated(String method, String key) {
        return new RouteDefinition(method, MethodKey.parse(key), Set.of(), null, Set.of(), false, method);
    }

    private static UsagePlansConfigException startUp(String plans, List<RouteDefinition> routes) {
        Catalog catalog = PlanFile.parse(plans, "plans.yaml");
        return assertThrows(UsagePlansConfigException.class,
                () -> UsagePlans.builder(catalog).stage("test").routes(routes).discoverListeners(false).build().close());
    }

    @Test
    void aSharedBucketWithTwoShapesAndATooHighCostAreReportedAtTheirPlanFileEntriesOnAnnotatedMethods() {
        UsagePlansConfigException e = startUp(PLANS, ANNOTATED);

        assertEquals(List.of(
                "usage-plans: plans.yaml, line 12: plans[premium].apiStages[0].throttle[\"/pets/GET\"].bucket: bucket 'shared' of "
                        + "plan premium is rate 2.0, burst 4 here but rate 1.0, burst 2 on "
                        + "plans[premium].apiStages[0].throttle[\"/usage/GET\"] (line 8); a shared bucket has one shape",
                "usage-plans: plans.yaml, line 13: plans[premium].apiStages[0].throttle[\"/export/GET\"].cost: a cost of 5 is more "
                        + "than the method throttle's burst of 3 for plan premium, so such a request could never pass; lower the "
                        + "cost or raise the limit"),
                e.problems().stream().map(Throwable::getMessage).toList(), e.getMessage());
        assertFalse(e.getMessage().contains("com.acme"), "the plan file's settings are not the Java methods': " + e.getMessage());
    }

    @Test
    void theSameProblemsOnMethodsOnlyThePlanFileMetersNameTheEntriesToo() {
        UsagePlansConfigException e = startUp(PLANS, List.of());

        assertEquals(List.of("plans.yaml 12 plans[premium].apiStages[0].throttle[\"/pets/GET\"].bucket",
                        "plans.yaml 13 plans[premium].apiStages[0].throttle[\"/export/GET\"].cost"),
                e.problems().stream().map(p -> p.source() + " " + p.line() + " " + p.entry()).toList(), e.getMessage());
    }

    @Test
    void anAnnotationsOwnTooHighCostIsStillReportedAtItsMethod() {
        List<RouteDefinition> routes = List.of(new RouteDefinition("com.acme.Reports#daily", MethodKey.parse("/daily/GET"),
                Set.of(), Throttle.rateLimit(1).burstLimit(2), Set.of(), false, "com.acme.Reports#daily", 3, null));
        UsagePlansConfigException e = startUp(PLANS.replace("bucket: shared }", "bucket: alone }").replace("cost: 5", "cost: 2"),
                routes);

        assertEquals("usage-plans: com.acme.Reports#daily: cost: a cost of 3 is more than the method throttle's burst of 2 for "
                + "plan premium, so such a request could never pass; lower the cost or raise the limit", e.getMessage());
    }
}
