package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every admin endpoint given garbage in its path, query and values (negative, huge, not a number, not a date,
 * control characters, very long) answers a 4xx problem+json that names no Java class; none answers 500.
 */
class HostileParametersOverHttpTest {

    private static UsagePlans engine;
    private static AdminServer server;

    @BeforeAll
    static void start() throws Exception {
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(MutableClock.at("2026-11-25T10:00:00Z")).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    @Test
    void garbageInPathsAndQueriesIsRefusedWith4xxNeverA500() throws Exception {
        String longName = "k".repeat(4000);
        // refused by Jetty before the application sees them (as Tomcat does, see the README's Servers section)
        for (String path : List.of("apikeys/%00", "apikeys/%FF", "apikeys/%C3%28", "apikeys/..%2F..%2Fetc", "apikeys/a%0Ab",
                "usageplans/basic/usage?startDate=%FF&endDate=2026-11-25", "usageplans/%00/usage?startDate=2026-11-25&endDate=2026-11-25",
                "usageplans/basic/keys/%00/usage")) {
            HttpResponse<String> response = server.admin("GET", path);
            assertEquals(400, response.statusCode(), path);
            assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), path + ": " + response.body());
        }
        List<String> gets = List.of("apikeys/" + longName, "apikeys/%20", "apikeys/%E2%80%AE",
                "usageplans/basic/usage?startDate=+999999999-01-01&endDate=+999999999-12-31",
                "usageplans/basic/usage?startDate=-999999999-01-01&endDate=+999999999-12-31",
                "usageplans/basic/usage?startDate=0000-00-00&endDate=9999-99-99",
                "usageplans/basic/usage?startDate=2026-11-25&endDate=2026-11-25&keyId=%00",
                "usageplans/basic/usage?startDate=2026-11-25&endDate=2026-11-25&keyId=" + longName,
                "usageplans/basic/usage?startDate=" + "1".repeat(3000) + "&endDate=2026-11-25",
                "usageplans/basic/usage?startDate=2026-11-25&startDate=2026-11-26&endDate=2026-11-25",
                "usageplans/basic/keys/" + longName + "/usage",
                "usageplans/-1/keys/basic-customer/usage");
        for (String path : gets) {
            assertRefused(path, server.admin("GET", path));
        }

        String quota = "usageplans/basic/keys/basic-customer/usage";
        List<String> quotaBodies = List.of("{\"remaining\":9223372036854775807}", "{\"remaining\":-9223372036854775808}",
                "{\"remaining\":99999999999999999999999}", "{\"remaining\":1e400}", "{\"remaining\":-1e-400}",
                "{\"remaining\":\"" + "9".repeat(5000) + "\"}", "{\"remaining\":\" 5\\u0000\"}",
                "{\"extendBy\":9223372036854775807}", "{\"extendBy\":-9223372036854775808}", "{\"extendBy\":0}",
                "{\"extendBy\":" + "9".repeat(100_000) + "}", "{\"reset\":false}", "{\"reset\":null}", "{\"remaining\":null}",
                "{\"remaining\":[]}", "{\"remaining\":{}}", "{\"patchOperations\":[]}", "{\"patchOperations\":{}}",
                "{\"patchOperations\":[null]}", "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/remaining\","
                        + "\"value\":\"-1\"}]}", "{\"patchOperations\":[{\"op\":null,\"path\":null}]}", "{}", "null", "\"x\"", "1");
        for (String body : quotaBodies) {
            HttpResponse<String> response = server.adminJson("PATCH", quota, body);
            if (response.statusCode() != 200) {
                assertRefused(body, response);
            }
        }
        assertEquals(5, json(server.admin("GET", quota)).get("limit"));

        List<String> keyBodies = List.of("{\"enabled\":1}", "{\"enabled\":null}", "{\"description\":{}}",
                "{\"usagePlanIds\":\"basic\"}", "{\"usagePlanIds\":[1]}", "{\"usagePlanIds\":[null]}",
                "{\"usagePlanIds\":" + manyPlans(50_000) + "}", "{\"description\":\"" + "d".repeat(900_000) + "\"}",
                "{\"" + "f".repeat(500_000) + "\":1}", "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/enabled\","
                        + "\"value\":\"maybe\"}]}");
        for (String body : keyBodies) {
            HttpResponse<String> response = server.adminJson("PATCH", "apikeys/basic-customer", body);
            if (response.statusCode() != 200) {
                assertRefused(body.length() > 100 ? body.substring(0, 100) : body, response);
            }
        }
        HttpResponse<String> longField = server.adminJson("PATCH", "apikeys/basic-customer", "{\"" + "f".repeat(500_000) + "\":1}");
        assertTrue(longField.body().length() < 2000, "the problem quotes a bounded part of the value: " + longField.body().length());

        List<String> rotations = List.of("{\"gracePeriodSeconds\":9223372036854775807}", "{\"gracePeriodSeconds\":-1}",
                "{\"gracePeriodSeconds\":1.5}", "{\"gracePeriodSeconds\":\"soon\"}", "{\"gracePeriodSeconds\":1e999999999}");
        for (String body : rotations) {
            assertRefused(body, server.adminJson("POST", "apikeys/premium-customer/rotate", body));
        }
        assertEquals(200, server.pets(AdminServer.PREMIUM_KEY).statusCode(), "the key was not rotated");

        List<String> creations = List.of("{\"name\":\"\"}", "{\"name\":null}", "{\"name\":\"" + longName + "\"}",
                "{\"name\":\"a\\u0000b\"}", "{\"name\":\"x\",\"usagePlanIds\":[\"" + longName + "\"]}", "{\"name\":\"\\n\"}");
        for (String body : creations) {
            assertRefused(body.length() > 100 ? body.substring(0, 100) : body, server.adminJson("POST", "apikeys", body));
        }
        assertRefused("mode", server.adminJson("POST", "apikeys?mode=%00", "{\"name\":\"x\"}"));
        assertRefused("format", server.admin("POST", "apikeys/import?format=" + longName, "text/csv", "key,name\n"));
        assertEquals(3, ((List<?>) json(server.admin("GET", "apikeys")).get("items")).size(), "no key was created");
    }

    @Test
    void malformedContentTypeAndAcceptHeadersAreRefusedWith4xxNeverA500() throws Exception {
        // Jersey's servlet answers these with an empty 400 before any filter of the application runs
        for (String type : List.of("garbage", "/", "application/", "application/json; charset", "application/json; charset=\"utf-8",
                "application/json, text/csv")) {
            HttpResponse<String> response = server.admin("PATCH", "apikeys/basic-customer", type, "{\"enabled\":false}");
            assertEquals(400, response.statusCode(), type);
            assertEquals("", response.body(), type);
        }
        for (String type : List.of("application/json; charset=utf-16", "application/json; charset=nonsense-42",
                "text/csv; charset=UTF-32", "*/*", "application/*", "multipart/form-data; boundary=x")) {
            HttpResponse<String> response = server.admin("PATCH", "apikeys/basic-customer", type, "{\"enabled\":false}");
            assertRefused("Content-Type " + type, response);
        }
        HttpResponse<String> twoTypes = Http.CLIENT.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url("/usage-plans/admin/apikeys/basic-customer")))
                .header("Content-Type", "application/json").header("Content-Type", "text/csv")
                .header("Authorization", "Bearer " + AdminServer.TOKEN)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":false}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(twoTypes.statusCode() == 400 || twoTypes.statusCode() == 415, "two Content-Type headers: " + twoTypes.statusCode());
        HttpResponse<String> unauthorized = server.call("PATCH", "apikeys/basic-customer", "*/*", "{}", null);
        assertEquals(401, unauthorized.statusCode(), "the token is checked first");
        for (String accept : List.of("garbage", "text/html", ";;;", "application/json; q=abc", "application/xml")) {
            HttpResponse<String> response = Http.CLIENT.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.url("/usage-plans/admin/apikeys"))).header("Accept", accept)
                    .header("Authorization", "Bearer " + AdminServer.TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() == 200 || response.statusCode() == 406 || response.statusCode() == 400,
                    "Accept " + accept + ": " + response.statusCode() + " " + response.body());
            assertFalse(response.body().contains("Exception"), response.body());
        }
        assertEquals(true, json(server.admin("GET", "apikeys/basic-customer")).get("enabled"));
    }

    @Test
    void aCsvOfManyBadRowsIsRefusedNamingTheFirstHundredAndCountingTheRest() throws Exception {
        StringBuilder csv = new StringBuilder("key,name,enabled\n");
        for (int i = 0; i < 20_000; i++) {
            csv.append("short,name-").append(i).append(",maybe\n");
        }

        HttpResponse<String> response = server.admin("POST", "apikeys/import", "text/csv", csv.toString());

        assertRefused("csv", response);
        Map<String, Object> problem = json(response);
        assertEquals(100, ((List<?>) problem.get("errors")).size());
        assertTrue(((String) problem.get("detail")).startsWith("nothing was imported: 40000 problems; "), problem.get("detail")
                .toString());
        assertTrue(response.body().length() < 40_000, "answer of " + response.body().length() + " characters");
        assertEquals(3, ((List<?>) json(server.admin("GET", "apikeys")).get("items")).size(), "nothing was imported");
    }

    @Test
    void aCsvWithAVeryLongLineOrManyBlankLinesIsAnsweredWithin4xx() throws Exception {
        assertRefused("long line", server.admin("POST", "apikeys/import", "text/csv", "key,name\n" + "x".repeat(1_000_000)));
        assertRefused("blank lines", server.admin("POST", "apikeys/import", "text/csv", "key,name\n" + "\n".repeat(1_000_000)));
        assertRefused("commas", server.admin("POST", "apikeys/import", "text/csv", ",".repeat(1_000_000)));
        assertRefused("quote", server.admin("POST", "apikeys/import", "text/csv", "key,name\n\"" + "x".repeat(1_000_000)));
    }

    private static String manyPlans(int count) {
        StringBuilder plans = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            plans.append(i == 0 ? "" : ",").append("\"p").append(i).append('"');
        }
        return plans.append(']').toString();
    }

    private static void assertRefused(String what, HttpResponse<String> response) {
        int status = response.statusCode();
        assertTrue(status >= 400 && status < 500, what + ": " + status + " " + response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(null), what);
        Map<String, Object> problem = json(response);
        assertEquals(status, problem.get("status"), what);
        assertTrue(problem.get("detail") instanceof String detail && !detail.isBlank(), what + ": " + response.body());
        assertFalse(response.body().contains("Exception") || response.body().contains("java.") || response.body().contains("\tat "),
                what + ": " + response.body());
        assertTrue(response.body().length() < 20_000, what + ": an answer of " + response.body().length() + " characters");
    }
}
