package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.usageplans.Alerts;
import io.usageplans.Catalog;
import io.usageplans.UsagePlansConfigException;
import org.junit.jupiter.api.Test;

/** A plan's {@code alerts:}: quota thresholds in percent and the first throttling; bad values fail start-up located. */
class AlertsInPlanFileTest {

    private static final String FILE = "plans.yaml";

    @Test
    void alertsReadAsSortedQuotaPercentagesAndFirstThrottleAndNoneIsTheDefault() {
        Catalog catalog = PlanFile.parse("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: { quota: [100, 80], firstThrottle: true }
                  - name: dev
                    throttle: { rateLimit: 10, burstLimit: 20 }
                    alerts:
                      firstThrottle: true
                  - name: premium
                    quota: { limit: 100, period: DAY }
                """, FILE);
        assertEquals(new Alerts(List.of(80, 100), true), catalog.plan("basic").orElseThrow().alerts());
        assertEquals(List.of(), catalog.plan("dev").orElseThrow().alerts().quotaPercents());
        assertTrue(catalog.plan("dev").orElseThrow().alerts().firstThrottle());
        assertEquals(Alerts.NONE, catalog.plan("premium").orElseThrow().alerts());
        assertFalse(Alerts.NONE.any());
    }

    @Test
    void alertsInStrictJsonReadLikeYaml() {
        Catalog catalog = PlanFile.parse("""
                {"plans": [{"name": "basic", "quota": {"limit": 10, "period": "DAY"},
                            "alerts": {"quota": [80], "firstThrottle": false}}]}
                """, "plans.json");
        assertEquals(Alerts.quota(80), catalog.plan("basic").orElseThrow().alerts());
    }

    @Test
    void aThresholdAboveOneHundredPercentFailsNamingFileLineEntryAndValue() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts:
                      quota: [80, 150]
                """);
        assertEquals("usage-plans: plans.yaml, line 5: plans[basic].alerts.quota[1]: must be a percentage of the quota "
                + "from 1 to 100, was '150'", e.getMessage());
        assertLocated(e, 5, "plans[basic].alerts.quota[1]");
    }

    @Test
    void aThresholdOfZeroOrNotAWholeNumberFails() {
        assertEquals("usage-plans: plans.yaml, line 4: plans[basic].alerts.quota[0]: must be a percentage of the quota "
                + "from 1 to 100, was '0'", fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: { quota: [0] }
                """).getMessage());
        assertEquals("usage-plans: plans.yaml, line 4: plans[basic].alerts.quota[0]: must be a whole number, was 'eighty'",
                fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: { quota: [eighty] }
                """).getMessage());
    }

    @Test
    void aThresholdListedTwiceFails() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: { quota: [80, 80] }
                """);
        assertEquals("usage-plans: plans.yaml, line 4: plans[basic].alerts.quota[1]: threshold 80 is listed twice",
                e.getMessage());
    }

    @Test
    void quotaAlertsOnAPlanWithoutQuotaFailWithTheFix() {
        UsagePlansConfigException e = fails("""
                plans:
                  - name: dev
                    throttle: { rateLimit: 10, burstLimit: 20 }
                    alerts:
                      quota: [80]
                """);
        assertEquals("usage-plans: plans.yaml, line 5: plans[dev].alerts.quota: quota alerts need a quota; add the plan's "
                + "quota or remove alerts.quota", e.getMessage());
        assertLocated(e, 5, "plans[dev].alerts.quota");
    }

    @Test
    void aMisspelledAlertFieldAndAFirstThrottleThatIsNotABooleanFail() {
        UsagePlansConfigException misspelled = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts:
                      quotas: [80]
                """);
        assertTrue(misspelled.getMessage().contains("line 5: plans[basic].alerts.quotas: unknown field 'quotas'; allowed "
                + "here: [firstThrottle, quota]"), misspelled.getMessage());
        UsagePlansConfigException notBoolean = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: { firstThrottle: yes please }
                """);
        assertEquals("usage-plans: plans.yaml, line 4: plans[basic].alerts.firstThrottle: must be true or false, was "
                + "'yes please'", notBoolean.getMessage());
        UsagePlansConfigException notAMap = fails("""
                plans:
                  - name: basic
                    quota: { limit: 10, period: DAY }
                    alerts: 80
                """);
        assertTrue(notAMap.getMessage().contains("line 4: plans[basic].alerts: must be a map with fields [firstThrottle, "
                + "quota], was '80'"), notAMap.getMessage());
    }

    private static UsagePlansConfigException fails(String yaml) {
        return assertThrows(UsagePlansConfigException.class, () -> PlanFile.parse(yaml, FILE));
    }

    private static void assertLocated(UsagePlansConfigException e, int line, String entry) {
        assertEquals(FILE, e.source(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(entry, e.entry(), e.getMessage());
    }
}
