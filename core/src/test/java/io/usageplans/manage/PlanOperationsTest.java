package io.usageplans.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.StageSettings;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plans deleted and changed at run time refuse what would leave a key, a stage or an annotated route without its plan. */
class PlanOperationsTest {

    final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    final UsagePlans engine;

    PlanOperationsTest() {
        Catalog.Builder catalog = Catalog.builder().api("shop")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2)).stage("test").build())
                .plan(Plan.builder("export").throttle(Throttle.rateLimit(1).burstLimit(2)).stage("test").build())
                .plan(Plan.builder("signup").throttle(Throttle.rateLimit(1).burstLimit(5)).stage("test").build())
                .stage(StageSettings.of("test").withKeyless("/signup/POST", "signup"));
        for (int i = 0; i < 7; i++) {
            catalog.apiKey(ApiKey.builder("customer-" + i).value("customer-key-value-" + i + "-0123456789").plans("basic").build());
        }
        engine = UsagePlans.builder(catalog.build()).stage("test").clock(clock)
                .routes(List.of(new RouteDefinition("PetsResource.export", MethodKey.parse("/pets/export/GET"), Set.of("export"),
                        null, Set.of(), false, "PetsResource.export()")))
                .build();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aPlanInUseIsNotDeletedAndTheRefusalSaysByWhom() {
        AdminException keys = assertThrows(AdminException.class, () -> engine.admin().deletePlan("basic"));
        assertEquals(Kind.CONFLICT, keys.kind());
        assertEquals("plan 'basic' is used by 7 keys (customer-0, customer-1, customer-2, customer-3, customer-4 and 2 more); "
                + "move them to another plan or delete them first", keys.getMessage());

        AdminException keyless = assertThrows(AdminException.class, () -> engine.admin().deletePlan("signup"));
        assertEquals(Kind.CONFLICT, keyless.kind());
        assertTrue(keyless.getMessage().contains("stages[test].keyless[\"/signup/POST\"]"), keyless.getMessage());

        AdminException route = assertThrows(AdminException.class, () -> engine.admin().deletePlan("export"));
        assertEquals(Kind.CONFLICT, route.kind());
        assertEquals("plan 'export' is still used by PetsResource.export() (@UsagePlan), so it cannot be deleted while the "
                + "application runs: unknown plan 'export'; the plan file defines [basic, signup]", route.getMessage());

        assertEquals(List.of("basic", "export", "signup"), engine.catalog().plans().stream().map(Plan::name).toList());
        assertEquals(Kind.NOT_FOUND, assertThrows(AdminException.class, () -> engine.admin().deletePlan("gold")).kind());
    }

    @Test
    void allOperationsOfAnUpdateApplyOrNone() {
        List<PlanPatch> patches = new ArrayList<>(List.of(new PlanPatch("replace", "/throttle/burstLimit", "9"),
                new PlanPatch("replace", "/quota/limit", "100")));
        AdminException half = assertThrows(AdminException.class, () -> engine.admin().updatePlan("basic", patches));
        assertEquals("/quota/limit", half.field(), "a quota needs its period too");
        assertEquals(2, engine.catalog().plan("basic").orElseThrow().throttle().burstLimit());

        patches.add(new PlanPatch("replace", "/quota/period", "week"));
        Plan changed = engine.admin().updatePlan("basic", patches);
        assertEquals(9, changed.throttle().burstLimit());
        assertEquals(100, changed.quota().limit());
        assertEquals(changed, engine.planOnStage("basic").orElseThrow());
    }
}
