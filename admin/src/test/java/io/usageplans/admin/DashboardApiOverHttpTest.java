package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.basic;
import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.eclipse.jetty.ee11.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee11.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.util.security.Credential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's own calls over HTTP: keys searched and paged within bounds, a plan's top 20 of today, the last hour's
 * requests per second, and one audit line per change saying who did what, before and after.
 */
class DashboardApiOverHttpTest {

    private final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    private UsagePlans engine;
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** 25 keys k01..k25 on premium (100 a day), a key on basic (1/s, burst 2, 3 a day), one on a shadow plan (1 a day). */
    private void start() throws Exception {
        Catalog.Builder catalog = Catalog.builder().api("shop")
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(100).burstLimit(100))
                        .quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2))
                        .quota(Quota.limit(3).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("trial").quota(Quota.limit(1).period(QuotaPeriod.DAY)).shadow(true).stage("test").build())
                .apiKey(ApiKey.builder("small").description("a small shop").value(value("small")).plans("basic").build())
                .apiKey(ApiKey.builder("tester").value(value("tester")).plans("trial").build())
                .excludePath("/usage-plans/*");
        for (int i = 1; i <= 25; i++) {
            catalog.apiKey(ApiKey.builder(name(i)).description(i == 17 ? "Partner ACME" : null).value(value(name(i)))
                    .plans("premium").build());
        }
        engine = UsagePlans.builder(catalog.build()).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    private static String name(int i) {
        return String.format("k%02d", i);
    }

    private static String value(String name) {
        return name + "-key-value-0123456789";
    }

    @Test
    void keysArePagedInNameOrderWithTheTotal() throws Exception {
        start();
        Map<String, Object> first = json(ok("apikeys?limit=10"));
        assertEquals(27, first.get("total"));
        assertEquals(0, first.get("offset"));
        assertEquals(10, first.get("limit"));
        assertEquals(List.of("k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10"), ids(first));
        Map<String, Object> last = json(ok("apikeys?offset=20&limit=10"));
        assertEquals(List.of("k21", "k22", "k23", "k24", "k25", "small", "tester"), ids(last));
        assertFalse(ok("apikeys?offset=20&limit=10").body().contains("-key-value-0123456789"), "values are masked");
        assertEquals(List.of(), ids(json(ok("apikeys?offset=27"))), "past the end: an empty page");
        assertEquals(ApiKeysResource.DEFAULT_PAGE, json(ok("apikeys?offset=0")).get("limit"));
        assertEquals(27, ids(json(ok("apikeys?limit=500"))).size());
        assertEquals(27, ((List<?>) json(ok("apikeys")).get("items")).size(), "without paging parameters: every key, as before");
    }

    @Test
    void searchMatchesNameOrDescriptionInAnyCase() throws Exception {
        start();
        Map<String, Object> acme = json(ok("apikeys?q=acme"));
        assertEquals(List.of("k17"), ids(acme));
        assertEquals(1, acme.get("total"));
        assertEquals(List.of("k10", "k11", "k12"), ids(json(ok("apikeys?q=K1&limit=3"))));
        assertEquals(10, json(ok("apikeys?q=K1&limit=3")).get("total"));
        assertEquals(List.of("small"), ids(json(ok("apikeys?q=SMALL%20SHOP"))));
        assertEquals(List.of(), ids(json(ok("apikeys?q=nobody"))));
        assertEquals(0, json(ok("apikeys?q=nobody")).get("total"));
        assertEquals(List.of(), ids(json(ok("apikeys?q=" + "key-value"))), "values are never searched");
    }

    @Test
    void badPagingParametersAre400NamingTheParameter() throws Exception {
        start();
        for (String[] bad : new String[][] {{"limit=0", "limit", "0"}, {"limit=501", "limit", "501"},
                {"limit=-1", "limit", "-1"}, {"limit=ten", "limit", "ten"}, {"limit=", "limit", ""},
                {"offset=-1", "offset", "-1"}, {"offset=1.5", "offset", "1.5"},
                {"offset=99999999999999999999999", "offset", "99999999999999999999999"},
                {"limit=5&limit=6", "limit", null}, {"q=" + "x".repeat(201), "q", "x".repeat(200) + "\u2026 (201 characters)"}}) {
            HttpResponse<String> refused = server.admin("GET", "apikeys?" + bad[0]);
            assertEquals(400, refused.statusCode(), bad[0]);
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow(), bad[0]);
            Map<String, Object> problem = json(refused);
            assertEquals(bad[1], problem.get("field"), bad[0]);
            assertEquals(bad[2], problem.get("value"), bad[0]);
        }
        assertEquals("limit must be from 1 to 500, was 501", json(server.admin("GET", "apikeys?limit=501")).get("detail"));
        assertEquals("offset must be a whole number from 0 to 2147483647, was '1.5'",
                json(server.admin("GET", "apikeys?offset=1.5")).get("detail"));
    }

    @Test
    void theTopTwentyAreTodaysHeaviestKeysOfThePlanMostFirst() throws Exception {
        start();
        // yesterday k24 used 9: it does not count today
        clock.set(Instant.parse("2026-11-24T20:00:00Z"));
        requests("k24", 9);
        clock.set(Instant.parse("2026-11-25T10:00:00Z"));
        // today k(i) uses i % 6: 5, 4, 3, 2 and 1 requests, four or five keys each; k06, k12, k18, k24 none
        for (int i = 1; i <= 25; i++) {
            requests(name(i), i % 6);
        }
        requests("small", 2); // another plan

        Map<String, Object> top = json(ok("usageplans/premium/top"));
        assertEquals("premium", top.get("usagePlanId"));
        assertEquals("2026-11-25", top.get("date"));
        List<Map<String, Object>> items = cast(top.get("items"));
        assertEquals(List.of("k05", "k11", "k17", "k23", "k04", "k10", "k16", "k22", "k03", "k09", "k15", "k21",
                "k02", "k08", "k14", "k20", "k01", "k07", "k13", "k19"), items.stream().map(i -> i.get("keyId")).toList(),
                "21 keys used some; k25 (1, last by name among the ties) is the one left out");
        assertEquals(List.of(5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1),
                items.stream().map(i -> i.get("used")).toList());
        assertEquals(95, items.get(0).get("remaining"));
        assertEquals(99, items.get(19).get("remaining"));
        assertEquals(List.of(Map.of("keyId", "small", "used", 2, "remaining", 1)), json(ok("usageplans/basic/top")).get("items"));
        assertEquals(List.of(), json(ok("usageplans/trial/top")).get("items"), "no usage today");

        HttpResponse<String> unknown = server.admin("GET", "usageplans/gold/top");
        assertEquals(404, unknown.statusCode());
        assertEquals("usagePlanId", json(unknown).get("field"));
        assertEquals(400, server.admin("GET", "usageplans/premium/top?x=1&x=2").statusCode());
    }

    @Test
    void theLastHourCountsEachOutcomePerSecond() throws Exception {
        start();
        requests("k01", 3);
        requests("small", 2);
        assertEquals(429, pets("small").statusCode(), "throttled: the burst is 2");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(200, pets("small").statusCode());
        clock.advance(Duration.ofSeconds(2));
        assertEquals("{\"message\":\"Limit Exceeded\"}", pets("small").body());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, pets("tester").statusCode(), "shadow mode serves all three");
        }

        Map<String, Object> expected = Map.of("allowed", 7, "throttled", 1, "quotaExceeded", 1, "wouldRefuse", 2);
        Await.until(this::lastHour, expected::equals, Duration.ofSeconds(10), "the last hour's counts " + expected);
        Map<String, Object> rates = json(ok("stats/rates"));
        assertEquals(RequestRates.SLOT_SECONDS, rates.get("stepSeconds"));
        Map<String, List<Number>> series = cast(rates.get("series"));
        assertEquals(List.of("allowed", "throttled", "quotaExceeded", "wouldRefuse"), List.copyOf(series.keySet()));
        for (List<Number> points : series.values()) {
            assertEquals(RequestRates.SLOTS, points.size(), "an hour in 10-second steps");
        }
        double allowedPerSecondTimesSeconds = 0;
        for (Number n : series.get("allowed")) {
            allowedPerSecondTimesSeconds += n.doubleValue();
        }
        assertTrue(allowedPerSecondTimesSeconds > 0, "the requests show in the recent steps");
        assertEquals(0.0, series.get("allowed").get(0).doubleValue(), "an hour ago: nothing");
    }

    @Test
    void everyChangeLogsOneLineWithWhoWhatBeforeAndAfterAndNoKeyValue() throws Exception {
        start();
        try (LogRecorder audit = LogRecorder.of(UsagePlansAdmin.class).start()) {
            assertEquals(200, server.adminJson("PATCH", "apikeys/small", "{\"enabled\":false}").statusCode());
            assertEquals(List.of("usage-plans: the admin token disabled key 'small': enabled true -> enabled false"), audit.messages());
            assertEquals(403, pets("small").statusCode());

            audit.clear();
            requests("k02", 4);
            assertEquals(200, server.adminJson("PATCH", "usageplans/premium/keys/k02/usage", "{\"extendBy\":10}").statusCode());
            assertEquals(List.of("usage-plans: the admin token changed the quota of key 'k02' on plan premium: 96 of 100 "
                    + "remain -> 106 of 100 remain until 2026-11-26T00:00:00Z"), audit.messages());

            audit.clear();
            assertEquals(200, server.adminJson("PATCH", "usageplans/premium/keys/k02/usage", "{\"reset\":true}").statusCode());
            assertEquals(List.of("usage-plans: the admin token changed the quota of key 'k02' on plan premium: 106 of 100 "
                    + "remain -> 100 of 100 remain until 2026-11-26T00:00:00Z"), audit.messages());

            audit.clear();
            HttpResponse<String> rotated = server.adminJson("POST", "apikeys/k03/rotate", "{\"gracePeriodSeconds\":0}");
            assertEquals(200, rotated.statusCode());
            String newValue = (String) json(rotated).get("value");
            assertEquals(1, audit.messages().size(), audit.messages().toString());
            assertEquals("usage-plans: the admin token rotated key 'k03': value k03-…6789 -> value " + newValue.substring(0, 4)
                    + "…" + newValue.substring(newValue.length() - 4) + " (the old value is valid no longer)", audit.messages().get(0));
            assertFalse(audit.messages().get(0).contains(newValue), "the new value is masked");
            assertFalse(audit.messages().get(0).contains(value("k03")), "the old value is masked");

            audit.clear();
            assertEquals(400, server.adminJson("PATCH", "apikeys/small", "{\"enabled\":\"perhaps\"}").statusCode());
            assertEquals(404, server.adminJson("PATCH", "apikeys/nobody", "{\"enabled\":false}").statusCode());
            assertEquals(List.of(), audit.messages(), "a refused change logs nothing");
        }
    }

    @Test
    void theSignedInUserIsNamedInTheAuditLineAndOneWithoutTheRoleGets403() throws Exception {
        Catalog catalog = Catalog.builder().api("shop")
                .plan(Plan.builder("basic").quota(Quota.limit(3).period(QuotaPeriod.DAY)).stage("test").build())
                .apiKey(ApiKey.builder("small").value(value("small")).plans("basic").build())
                .excludePath("/usage-plans/*").build();
        engine = UsagePlans.builder(catalog).stage("test").clock(clock).build();
        server = AdminServer.start(engine, Map.of(AdminSettings.ENABLED, "true"), context -> {
            UserStore users = new UserStore();
            users.addUser("operator", Credential.getCredential("operator-password"), new String[] {"usage-plans-admin"});
            users.addUser("clerk", Credential.getCredential("clerk-password"), new String[] {"staff"});
            HashLoginService login = new HashLoginService("usage-plans");
            login.setUserStore(users);
            ConstraintMapping signedIn = new ConstraintMapping();
            signedIn.setPathSpec("/usage-plans/*");
            signedIn.setConstraint(Constraint.ANY_USER);
            ConstraintSecurityHandler security = new ConstraintSecurityHandler();
            security.setAuthenticator(new BasicAuthenticator());
            security.setLoginService(login);
            security.addConstraintMapping(signedIn);
            context.setSecurityHandler(security);
        });
        for (String path : List.of("apikeys?q=small", "usageplans/basic/top", "stats/rates")) {
            assertEquals(403, server.call("GET", path, null, null, basic("clerk", "clerk-password")).statusCode(), path);
            assertEquals(401, server.call("GET", path, null, null, null).statusCode(), path);
            assertEquals(200, server.call("GET", path, null, null, basic("operator", "operator-password")).statusCode(), path);
        }
        try (LogRecorder audit = LogRecorder.of(UsagePlansAdmin.class).start()) {
            assertEquals(403, server.call("PATCH", "apikeys/small", "application/json", "{\"enabled\":false}",
                    basic("clerk", "clerk-password")).statusCode());
            assertEquals(List.of(), audit.messages());
            assertEquals(200, server.call("PATCH", "apikeys/small", "application/json", "{\"enabled\":false}",
                    basic("operator", "operator-password")).statusCode());
            assertEquals(List.of("usage-plans: user 'operator' disabled key 'small': enabled true -> enabled false"), audit.messages());
        }
    }

    @Test
    void theNewCallsNeedTheAdminToken() throws Exception {
        start();
        for (String path : List.of("apikeys?q=k&limit=5", "usageplans/premium/top", "stats/rates")) {
            HttpResponse<String> refused = server.call("GET", path, null, null, null);
            assertEquals(401, refused.statusCode(), path);
            assertFalse(refused.body().contains("k01"), path);
            assertEquals(401, server.call("GET", path, null, null, "Bearer not-the-admin-token-0123456789").statusCode(), path);
        }
    }

    private HttpResponse<String> ok(String path) throws Exception {
        HttpResponse<String> response = server.admin("GET", path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response;
    }

    private Object lastHour() {
        try {
            return json(ok("stats/rates")).get("lastHour");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> pets(String keyName) throws Exception {
        return server.pets(value(keyName));
    }

    private void requests(String keyName, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            assertEquals(200, pets(keyName).statusCode(), keyName);
        }
    }

    private static List<Object> ids(Map<String, Object> page) {
        List<Map<String, Object>> items = cast(page.get("items"));
        return items.stream().map(i -> i.get("id")).toList();
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
