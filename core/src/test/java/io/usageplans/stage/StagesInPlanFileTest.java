package io.usageplans.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.StageSettings;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.PlanFile;
import org.junit.jupiter.api.Test;

/** The plan file's top-level {@code stages}: in YAML and JSON alike, and every mistake with its file, line, entry and value. */
class StagesInPlanFileTest {

    @Test
    void jsonAndYamlGiveTheSameStageSettings() {
        String json = """
                {"plans": [{"name": "signup", "throttle": {"rateLimit": 0.08334, "burstLimit": 5}},
                           {"name": "basic", "apiStages": [{"stage": "test"}]}],
                 "stages": [{"stage": "test",
                             "throttle": {"/pets/GET": {"rateLimit": 500, "burstLimit": 1000},
                                          "*/*": {"rateLimit": 50, "burstLimit": 100}},
                             "keyless": {"/signup/POST": "signup"}}]}
                """;
        String yaml = """
                plans:
                  - { name: signup, throttle: { rateLimit: 0.08334, burstLimit: 5 } }
                  - { name: basic, apiStages: [ { stage: test } ] }
                stages:
                  - stage: test
                    throttle:
                      "/pets/GET": { rateLimit: 500, burstLimit: 1000 }
                      "*/*": { rateLimit: 50, burstLimit: 100 }
                    keyless:
                      "/signup/POST": signup
                """;
        Catalog fromJson = PlanFile.parse(json, "plans.json");
        Catalog fromYaml = PlanFile.parse(yaml, "plans.yaml");
        StageSettings stage = fromJson.stageSettings("test").orElseThrow();
        assertEquals(stage, fromYaml.stageSettings("test").orElseThrow());
        assertEquals(Throttle.rateLimit(500).burstLimit(1000), stage.throttles().get(MethodKey.parse("/pets/GET")));
        assertEquals(Throttle.rateLimit(50).burstLimit(100), stage.defaultThrottle());
        assertEquals("signup", stage.keyless().get(MethodKey.parse("/signup/POST")));
    }

    @Test
    void everyMistakeIsReportedWithFileLineEntryAndValue() {
        String yaml = """
                plans:
                  - { name: basic, apiStages: [ { stage: test } ] }
                stages:
                  - stage: test
                    throttle:
                      "/pets/GET": { rateLimit: 1 }
                      "/pets/DANCE": { rateLimit: 1, burstLimit: 1 }
                      "/orders/GET": { rateLimit: 1, burstLimit: 0, cost: 2 }
                    keyless:
                      "*/*": basic
                    limit: 3
                  - stage: test
                """;
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, "plans.yaml"));
        String m = e.getMessage();
        assertTrue(m.contains("plans.yaml, line 6: stages[test].throttle[\"/pets/GET\"].burstLimit: is required"), m);
        assertTrue(m.contains("plans.yaml, line 7: stages[test].throttle[\"/pets/DANCE\"]: HTTP method must be one of"), m);
        assertTrue(m.contains("plans.yaml, line 8: stages[test].throttle[\"/orders/GET\"].burstLimit: must be a whole number of "
                + "requests of at least 1, was 0"), m);
        assertTrue(m.contains("plans.yaml, line 8: stages[test].throttle[\"/orders/GET\"].cost: unknown field 'cost'"), m);
        assertTrue(m.contains("plans.yaml, line 10: stages[test].keyless[\"*/*\"]: keyless names single methods"), m);
        assertTrue(m.contains("plans.yaml, line 11: stages[test].limit: unknown field 'limit'"), m);
        assertTrue(m.contains("plans.yaml, line 12: stages[test]: stage 'test' is listed twice"), m);
    }
}
