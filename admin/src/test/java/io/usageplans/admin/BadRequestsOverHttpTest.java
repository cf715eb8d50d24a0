package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed and wrong requests get a problem+json answer naming the field and the value, never a 500 or a stack trace. */
class BadRequestsOverHttpTest {

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
    void aMalformedDateIs400NamingTheFieldAndTheValue() throws Exception {
        HttpResponse<String> response = server.admin("GET", "usageplans/basic/usage?startDate=2026-13-01&endDate=2026-11-25");
        assertEquals(400, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"startDate must be a date "
                + "as YYYY-MM-DD, was '2026-13-01'\",\"field\":\"startDate\",\"value\":\"2026-13-01\"}", response.body());

        assertProblem(400, "endDate", "2026-02-30",
                server.admin("GET", "usageplans/basic/usage?startDate=2026-02-01&endDate=2026-02-30"));
        assertProblem(400, "endDate", "2026-11-24",
                server.admin("GET", "usageplans/basic/usage?startDate=2026-11-25&endDate=2026-11-24"));
        assertProblem(400, "startDate", null, server.admin("GET", "usageplans/basic/usage?endDate=2026-11-24"));
    }

    @Test
    void anUnknownPlanOrKeyIs404NamingIt() throws Exception {
        assertProblem(404, "usagePlanId", "gold", server.admin("GET", "usageplans/gold/usage?startDate=2026-11-25&endDate=2026-11-25"));
        assertProblem(404, "keyId", "nobody",
                server.admin("GET", "usageplans/basic/usage?startDate=2026-11-25&endDate=2026-11-25&keyId=nobody"));
        assertProblem(404, "usagePlanId", "gold", server.adminJson("PATCH", "usageplans/gold/keys/basic-customer/usage",
                "{\"reset\":true}"));
        assertProblem(404, "keyId", "nobody", server.adminJson("PATCH", "apikeys/nobody", "{\"enabled\":false}"));
        assertProblem(404, "keyId", "nobody", server.adminJson("POST", "apikeys/nobody/rotate", "{}"));
        HttpResponse<String> noPath = server.admin("GET", "no/such/thing");
        assertEquals(404, noPath.statusCode());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no admin resource at this path\"}",
                noPath.body());
    }

    @Test
    void malformedJsonIs400AndNeverA500() throws Exception {
        HttpResponse<String> broken = server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabled\": ");
        assertEquals(400, broken.statusCode());
        assertEquals("body", json(broken).get("field"));
        assertTrue(((String) json(broken).get("detail")).startsWith("the body is not valid JSON: "), broken.body());

        assertProblem(400, "body", null, server.adminJson("PATCH", "apikeys/basic-customer", "[1, 2]"));
        assertProblem(400, "body", null, server.adminJson("PATCH", "apikeys/basic-customer", ""));
        assertProblem(400, "body", null, server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabled\":true,\"enabled\":false}"));
        assertProblem(400, "body", null, server.adminJson("POST", "apikeys", "{\"name\": \"unclosed"));
        assertEquals(true, json(server.admin("GET", "apikeys/basic-customer")).get("enabled"), "nothing changed");
    }

    @Test
    void aValueOfTheWrongTypeOrAnUnknownFieldIs400NamingIt() throws Exception {
        assertProblem(400, "enabled", "maybe", server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabled\":\"maybe\"}"));
        assertProblem(400, "remaining", "lots", server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"remaining\":\"lots\"}"));
        assertProblem(400, "remaining", "-1", server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"remaining\":-1}"));
        assertProblem(400, "extendBy", "2.5", server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"extendBy\":2.5}"));
        assertProblem(400, "enabeld", null, server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabeld\":false}"));
        assertProblem(400, "usagePlanIds", "gold", server.adminJson("PATCH", "apikeys/basic-customer", "{\"usagePlanIds\":[\"gold\"]}"));
        assertProblem(400, "patchOperations[0].path", "/name", server.adminJson("PATCH", "apikeys/basic-customer",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]}"));
        assertProblem(400, "patchOperations[0].op", "add", server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"patchOperations\":[{\"op\":\"add\",\"path\":\"/remaining\",\"value\":\"1\"}]}"));
        assertProblem(400, "gracePeriodSeconds", "-5", server.adminJson("POST", "apikeys/basic-customer/rotate",
                "{\"gracePeriodSeconds\":-5}"));
        assertProblem(400, "name", "a/b", server.adminJson("POST", "apikeys", "{\"name\":\"a/b\"}"));
        assertProblem(400, "usagePlanId", "dev", server.admin("GET", "usageplans/dev/keys/dev-team/usage"));
        assertEquals(200, server.pets(AdminServer.BASIC_KEY).statusCode(), "the key was not rotated");
    }

    @Test
    void aWrongMediaTypeIs415AndAWrongMethodIs405() throws Exception {
        HttpResponse<String> text = server.admin("PATCH", "apikeys/basic-customer", "text/plain", "enabled=false");
        assertEquals(415, text.statusCode());
        assertEquals("application/problem+json", text.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("Content-Type text/plain is not accepted here; send application/json, or text/csv for an import",
                json(text).get("detail"));

        HttpResponse<String> put = server.adminJson("PUT", "apikeys/basic-customer", "{\"enabled\":false}");
        assertEquals(405, put.statusCode());
        assertEquals("application/problem+json", put.headers().firstValue("Content-Type").orElseThrow());
        String allow = put.headers().firstValue("Allow").orElseThrow();
        assertTrue(allow.contains("PATCH") && allow.contains("DELETE") && allow.contains("GET"), allow);
        assertTrue(((String) json(put).get("detail")).startsWith("PUT is not allowed here; allowed: "), put.body());
        assertFalse(put.body().contains("Exception"), put.body());
    }

    private static void assertProblem(int status, String field, String value, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> problem = json(response);
        assertEquals(field, problem.get("field"), response.body());
        assertEquals(value, problem.get("value"), response.body());
        assertEquals(status, problem.get("status"));
        assertTrue(problem.get("detail") instanceof String detail && !detail.isBlank(), response.body());
    }
}
