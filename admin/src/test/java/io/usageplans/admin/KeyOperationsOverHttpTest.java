package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.BASIC_KEY;
import static io.usageplans.admin.AdminServer.PREMIUM_KEY;
import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each key and quota operation of the admin API, over HTTP, and what the next metered request sees of it. */
class KeyOperationsOverHttpTest {

    private final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    private UsagePlans engine;
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    @Test
    void listsKeysWithMaskedValuesAndPlansWithTheirLimits() throws Exception {
        HttpResponse<String> keys = server.admin("GET", "apikeys");
        assertEquals(200, keys.statusCode());
        assertEquals("{\"items\":[{\"id\":\"basic-customer\",\"name\":\"basic-customer\",\"description\":\"\",\"enabled\":true,"
                + "\"value\":\"basi…6789\",\"usagePlanIds\":[\"basic\"],\"previousValidUntil\":null},"
                + "{\"id\":\"premium-customer\",\"name\":\"premium-customer\",\"description\":\"\",\"enabled\":true,"
                + "\"value\":\"prem…6789\",\"usagePlanIds\":[\"premium\"],\"previousValidUntil\":null},"
                + "{\"id\":\"dev-team\",\"name\":\"dev-team\",\"description\":\"\",\"enabled\":true,"
                + "\"value\":\"dev-…6789\",\"usagePlanIds\":[\"dev\"],\"previousValidUntil\":null}]}", keys.body());
        assertFalse(keys.body().contains(BASIC_KEY), "never the value itself");

        assertEquals("{\"items\":[{\"id\":\"basic\",\"name\":\"basic\",\"description\":\"small customers\","
                        + "\"throttle\":{\"rateLimit\":1.0,\"burstLimit\":2},"
                        + "\"quota\":{\"limit\":5,\"period\":\"DAY\",\"offset\":0,\"timeZone\":\"Z\"},\"enabled\":true,\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]},"
                        + "{\"id\":\"premium\",\"name\":\"premium\",\"description\":\"\",\"throttle\":{\"rateLimit\":100.0,\"burstLimit\":100},"
                        + "\"quota\":{\"limit\":100,\"period\":\"DAY\",\"offset\":0,\"timeZone\":\"Z\"},\"enabled\":true,\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]},"
                        + "{\"id\":\"dev\",\"name\":\"dev\",\"description\":\"\",\"throttle\":{\"rateLimit\":1000.0,\"burstLimit\":1000},"
                        + "\"quota\":null,\"enabled\":true,\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]}]}",
                server.admin("GET", "usageplans").body());
        assertEquals("{\"stage\":\"test\",\"enabled\":true,\"store\":\"LocalUsageStore\",\"today\":\"2026-11-25\"}",
                server.admin("GET", "status").body());
    }

    @Test
    void disablingAKeyRefusesItsNextRequestAndEnablingLetsItInAgain() throws Exception {
        HttpResponse<String> disabled = server.adminJson("PATCH", "apikeys/premium-customer", "{\"enabled\":false}");
        assertEquals(200, disabled.statusCode(), disabled.body());
        assertEquals(false, json(disabled).get("enabled"));
        HttpResponse<String> refused = server.pets(PREMIUM_KEY);
        assertEquals(403, refused.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", refused.body());

        // AWS's UpdateApiKey form
        HttpResponse<String> enabled = server.adminJson("PATCH", "apikeys/premium-customer",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/enabled\",\"value\":\"true\"},"
                        + "{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"back again\"}]}");
        assertEquals(200, enabled.statusCode(), enabled.body());
        assertEquals(true, json(enabled).get("enabled"));
        assertEquals("back again", json(server.admin("GET", "apikeys/premium-customer")).get("description"));
        assertEquals(200, server.pets(PREMIUM_KEY).statusCode());
    }

    @Test
    void movingAKeyToAnotherPlanGivesItThatPlansLimits() throws Exception {
        assertEquals("\"basic-burst\";q=2;w=2, \"basic-day\";q=5;w=86400",
                server.pets(BASIC_KEY).headers().firstValue("RateLimit-Policy").orElseThrow());

        HttpResponse<String> moved = server.adminJson("PATCH", "apikeys/basic-customer", "{\"usagePlanIds\":[\"premium\"]}");

        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(List.of("premium"), json(moved).get("usagePlanIds"));
        HttpResponse<String> next = server.pets(BASIC_KEY);
        assertEquals(200, next.statusCode());
        assertEquals("\"premium-burst\";q=100;w=1, \"premium-day\";q=100;w=86400",
                next.headers().firstValue("RateLimit-Policy").orElseThrow());
        assertEquals(99, json(server.admin("GET", "usageplans/premium/keys/basic-customer/usage")).get("remaining"));
    }

    @Test
    void aRotatedKeysOldValueWorksForTheGracePeriodOnlyAndTheNewOneAtOnce() throws Exception {
        HttpResponse<String> rotated = server.adminJson("POST", "apikeys/premium-customer/rotate", "{\"gracePeriodSeconds\":3600}");

        assertEquals(200, rotated.statusCode(), rotated.body());
        assertEquals("no-store", rotated.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> key = json(rotated);
        String newValue = (String) key.get("value");
        assertEquals(40, newValue.length(), "the full generated value, shown this once");
        assertEquals("2026-11-25T11:00:00Z", key.get("previousValidUntil"));
        assertEquals(200, server.pets(newValue).statusCode());
        assertEquals(200, server.pets(PREMIUM_KEY).statusCode(), "the old value within the grace period");
        String listed = server.admin("GET", "apikeys/premium-customer").body();
        assertFalse(listed.contains(newValue));
        assertTrue(listed.contains("\"value\":\"" + newValue.substring(0, 4) + "…" + newValue.substring(36) + "\""), listed);

        clock.advance(Duration.ofSeconds(3601));
        assertEquals(403, server.pets(PREMIUM_KEY).statusCode(), "the old value after the grace period");
        assertEquals(200, server.pets(newValue).statusCode());

        // without a grace period the old value stops at once; without the field it is a day (from 11:00:01 now)
        HttpResponse<String> again = server.adminJson("POST", "apikeys/premium-customer/rotate", "{\"gracePeriodSeconds\":0}");
        assertEquals(403, server.pets(newValue).statusCode());
        assertEquals(200, server.pets((String) json(again).get("value")).statusCode());
        HttpResponse<String> byDefault = server.admin("POST", "apikeys/basic-customer/rotate", null, null);
        assertEquals(200, byDefault.statusCode(), byDefault.body());
        assertEquals("2026-11-26T11:00:01Z", json(byDefault).get("previousValidUntil"));
    }

    @Test
    void extendingOrResettingAUsedUpQuotaLetsTheNextRequestsThrough() throws Exception {
        useUpBasicQuota();

        HttpResponse<String> extended = server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage", "{\"extendBy\":2}");
        assertEquals(200, extended.statusCode(), extended.body());
        assertEquals("{\"usagePlanId\":\"basic\",\"keyId\":\"basic-customer\",\"limit\":5,\"used\":3,\"remaining\":2,"
                + "\"period\":\"DAY\",\"periodStart\":\"2026-11-25T00:00:00Z\",\"periodEnd\":\"2026-11-26T00:00:00Z\"}", extended.body());
        assertEquals(List.of(200, 200, 429), spacedStatuses(3));

        HttpResponse<String> reset = server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage", "{\"reset\":true}");
        assertEquals(5L, ((Number) json(reset).get("remaining")).longValue());
        assertEquals(List.of(200), spacedStatuses(1));

        // AWS's UpdateUsage form: what remains is set, here to 1
        HttpResponse<String> replaced = server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/remaining\",\"value\":\"1\"}]}");
        assertEquals(200, replaced.statusCode(), replaced.body());
        assertEquals(1, json(replaced).get("remaining"));
        assertEquals(List.of(200, 429), spacedStatuses(2));

        HttpResponse<String> set = server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage", "{\"remaining\":3}");
        assertEquals(3, json(set).get("remaining"));
        assertEquals(json(set), json(server.admin("GET", "usageplans/basic/keys/basic-customer/usage")));
    }

    @Test
    void aCreatedKeyWorksAtOnceAndItsValueIsShownOnlyInTheAnswer() throws Exception {
        HttpResponse<String> created = server.adminJson("POST", "apikeys",
                "{\"name\":\"partner\",\"description\":\"a partner\",\"usagePlanIds\":[\"premium\"]}");

        assertEquals(201, created.statusCode(), created.body());
        assertEquals(server.url("/usage-plans/admin/apikeys/partner"), created.headers().firstValue("Location").orElseThrow());
        assertEquals("no-store", created.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> key = json(created);
        assertEquals("partner", key.get("id"));
        assertEquals(true, key.get("enabled"));
        assertEquals(List.of("premium"), key.get("usagePlanIds"));
        String value = (String) key.get("value");
        assertEquals(40, value.length());

        HttpResponse<String> call = server.pets(value);
        assertEquals(200, call.statusCode());
        assertTrue(call.headers().firstValue("RateLimit-Policy").orElseThrow().contains("premium-day"));
        String listed = server.admin("GET", "apikeys").body();
        assertTrue(listed.contains("\"id\":\"partner\""));
        assertFalse(listed.contains(value), "listed masked only");

        HttpResponse<String> again = server.adminJson("POST", "apikeys", "{\"name\":\"partner\",\"usagePlanIds\":[\"basic\"]}");
        assertEquals(409, again.statusCode());
        assertEquals("name", json(again).get("field"));

        HttpResponse<String> disabledAtBirth = server.adminJson("POST", "apikeys",
                "{\"name\":\"later\",\"enabled\":false,\"usagePlanIds\":[\"basic\"]}");
        assertEquals(403, server.pets((String) json(disabledAtBirth).get("value")).statusCode());
    }

    @Test
    void aDeletedKeyIsRefusedAndGone() throws Exception {
        HttpResponse<String> deleted = server.admin("DELETE", "apikeys/premium-customer");
        assertEquals(204, deleted.statusCode());
        assertEquals("", deleted.body());

        assertEquals(403, server.pets(PREMIUM_KEY).statusCode());
        HttpResponse<String> gone = server.admin("GET", "apikeys/premium-customer");
        assertEquals(404, gone.statusCode());
        assertEquals("application/problem+json", gone.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no key named "
                + "'premium-customer'\",\"field\":\"keyId\",\"value\":\"premium-customer\"}", gone.body());
        assertEquals(404, server.admin("DELETE", "apikeys/premium-customer").statusCode());
    }

    /** Five requests two seconds apart (the throttle refills), then the sixth is over the day's quota of 5. */
    private void useUpBasicQuota() throws Exception {
        assertEquals(List.of(200, 200, 200, 200, 200, 429), spacedStatuses(6));
        assertEquals("{\"message\":\"Limit Exceeded\"}", server.pets(BASIC_KEY).body());
    }

    private List<Integer> spacedStatuses(int count) throws Exception {
        Integer[] statuses = new Integer[count];
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofSeconds(2));
            statuses[i] = server.pets(BASIC_KEY).statusCode();
        }
        return List.of(statuses);
    }

    @Test
    void aQuotaIsChangedOnlyForAKeyOnThatPlan() throws Exception {
        HttpResponse<String> response = server.adminJson("PATCH", "usageplans/premium/keys/basic-customer/usage", "{\"reset\":true}");
        assertEquals(404, response.statusCode());
        assertEquals("keyId", json(response).get("field"));
        assertNotEquals(-1, response.body().indexOf("is not on plan 'premium'"), response.body());
    }
}
