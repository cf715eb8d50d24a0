package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import io.usageplans.UsagePlans;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attacker (or a careless script) holding the admin token sends bodies no client should: too large, too deep, not
 * UTF-8, not JSON, or without a type. Each is refused with 413, 400 or 415 as problem+json, nothing changes, and the
 * server logs no failure.
 */
class HostileBodiesOverHttpTest {

    private UsagePlans engine;
    private AdminServer server;
    /** Every logger's records that a user would read as a failure: SEVERE, or any with a stack trace. */
    private final LogRecorder failures = LogRecorder.of("")
            .only(record -> record.getLevel().intValue() >= Level.SEVERE.intValue() || record.getThrown() != null);

    @BeforeEach
    void start() throws Exception {
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(MutableClock.at("2026-11-25T10:00:00Z")).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
        failures.start();
    }

    @AfterEach
    void stop() {
        failures.close();
        server.close();
        engine.close();
    }

    @Test
    void aTenMegabyteGarbageBodyIsRefusedWith413() throws Exception {
        byte[] garbage = garbage(10 * 1024 * 1024);

        for (String[] call : new String[][] {{"POST", "apikeys", "application/json"}, {"PATCH", "apikeys/basic-customer",
                "application/json"}, {"POST", "apikeys?mode=import&format=csv", "text/csv"}, {"POST", "apikeys/import", "text/csv"}}) {
            HttpResponse<String> response = send(call[0], call[1], call[2], HttpRequest.BodyPublishers.ofByteArray(garbage));
            assertProblem(413, response);
            assertEquals("the body has more than 1048576 bytes; the admin API takes at most 1048576 "
                    + "(setting usageplans.admin.max-body-bytes)", json(response).get("detail"), call[1]);
        }
        assertNothingChangedAndNothingFailed();
    }

    @Test
    void aBodyTooLargeIsRefusedWith413AlsoWhenItsLengthIsNotDeclared() throws Exception {
        byte[] big = ("{\"description\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> chunked = send("PATCH", "apikeys/basic-customer", "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

        assertProblem(413, chunked);
        assertNothingChangedAndNothingFailed();
    }

    @Test
    void theLimitIsTheSettingMaxBodyBytes() throws Exception {
        Map<String, String> params = new LinkedHashMap<>(AdminServer.adminOn());
        params.put(AdminSettings.MAX_BODY_BYTES, "100");
        String one = "key,name\nimported-key-one-0123456789,importer-one\n";
        String three = one + "imported-key-two-0123456789,importer-two\nimported-key-three-0123456789,importer-three\n";
        try (AdminServer small = AdminServer.start(engine, params)) {
            assertEquals(201, small.admin("POST", "apikeys/import", "text/csv", one).statusCode());

            HttpResponse<String> refused = small.admin("POST", "apikeys/import", "text/csv", three);

            assertProblem(413, refused);
            assertEquals("the body has more than 100 bytes; the admin API takes at most 100 (setting "
                    + "usageplans.admin.max-body-bytes)", json(refused).get("detail"));
            assertEquals(404, small.admin("GET", "apikeys/importer-two").statusCode());
        }
        for (String wrong : List.of("0", "-1", "1MB", "268435457", "99999999999999999999")) {
            AdminSettings settings = AdminSettings.read(Map.of(AdminSettings.ENABLED, "true", AdminSettings.TOKEN, AdminServer.TOKEN,
                    AdminSettings.MAX_BODY_BYTES, wrong)::get);
            assertFalse(settings.enabled(), wrong);
            assertTrue(settings.problem().contains(AdminSettings.MAX_BODY_BYTES) && settings.problem().contains("'" + wrong + "'"),
                    settings.problem());
        }
        assertEquals(268_435_456, AdminSettings.read(Map.of(AdminSettings.MAX_BODY_BYTES, "268435456")::get).maxBodyBytes());
    }

    @Test
    void aHundredThousandDeepJsonBodyIsRefusedWith400AndNoStackOverflow() throws Exception {
        String arrays = "{\"usagePlanIds\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        String objects = "{\"description\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000) + "}";
        String unclosed = "[".repeat(100_000);

        // the 33rd opening bracket is refused where it stands
        Map<String, Integer> columns = Map.of(arrays, 16 + 31 + 1, objects, 15 + 31 * 5 + 1, unclosed, 33);
        for (Map.Entry<String, Integer> body : columns.entrySet()) {
            HttpResponse<String> response = server.adminJson("PATCH", "apikeys/basic-customer", body.getKey());
            assertProblem(400, response);
            assertEquals("body", json(response).get("field"));
            assertEquals("the body is not valid JSON: it nests more than 32 arrays and objects at line 1, column " + body.getValue(),
                    json(response).get("detail"));
        }
        assertNothingChangedAndNothingFailed();
    }

    @Test
    void invalidUtf8IsRefusedWith400() throws Exception {
        byte[][] bodies = {
                bytes("{\"description\":\"", new byte[] {(byte) 0xC3, 0x28}, "\"}"), // a lead byte without its continuation
                bytes("{\"description\":\"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"), // an overlong '/'
                bytes("{\"description\":\"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"), // a surrogate
                bytes("{\"description\":\"", new byte[] {(byte) 0xFF}, "\"}"),
                bytes("{\"description\":\"abc", new byte[] {(byte) 0xE2, (byte) 0x82}, "") }; // cut in the middle

        for (byte[] body : bodies) {
            HttpResponse<String> response = send("PATCH", "apikeys/basic-customer", "application/json",
                    HttpRequest.BodyPublishers.ofByteArray(body));
            assertProblem(400, response);
            assertEquals("body", json(response).get("field"));
            assertTrue(((String) json(response).get("detail")).startsWith("the body is not UTF-8: "), response.body());
        }
        HttpResponse<String> csv = send("POST", "apikeys/import", "text/csv", HttpRequest.BodyPublishers.ofByteArray(
                bytes("key,name\nimported-key-one-0123456789,caf", new byte[] {(byte) 0xE9}, "\n")));
        assertProblem(400, csv);
        assertEquals("the body is not UTF-8: byte 0xe9 at line 2, column 32", json(csv).get("detail"));
        assertEquals(404, server.admin("GET", "apikeys/caf\uFFFD").statusCode(), "nothing imported");
        assertNothingChangedAndNothingFailed();
    }

    @Test
    void aYamlBodyIsRefusedWith400() throws Exception {
        List<String> notJson = List.of(
                "enabled: false",
                "{enabled: false}",
                "{\"enabled\": false,}",
                "{'enabled': false}",
                "{\"enabled\": !!bool \"false\"}",
                "{\"enabled\": false} # a comment",
                "--- {\"enabled\": false}",
                "{\"enabled\": False}",
                "{\"enabled\": \"false\"}\n...\n",
                "{\"description\": \"tab\there\"}",
                "{\"description\": \"\\x41\"}",
                "{\"description\": \"\\ud800\"}",
                "{\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/description\", \"value\": .5}]}",
                "{\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/description\", \"value\": 0x10}]}",
                "{\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/description\", \"value\": 012}]}",
                "{\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/description\", \"value\": NaN}]}",
                "{\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/description\", \"value\": +1}]}",
                "{\"enabled\": false} {\"enabled\": true}",
                "{\"enabled\":\u00a0false}",
                "[{\"enabled\": false}]");

        for (String body : notJson) {
            HttpResponse<String> response = server.adminJson("PATCH", "apikeys/basic-customer", body);
            assertProblem(400, response);
            assertEquals("body", json(response).get("field"), body);
        }
        HttpResponse<String> yaml = server.adminJson("PATCH", "apikeys/basic-customer", "enabled: false");
        assertEquals("the body is not valid JSON: expected a JSON value, found 'e' at line 1, column 1", json(yaml).get("detail"));
        HttpResponse<String> trailingComma = server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabled\": false,}");
        assertEquals("the body is not valid JSON: expected a field name in double quotes, found '}' at line 1, column 19",
                json(trailingComma).get("detail"));
        assertNothingChangedAndNothingFailed();
    }

    @Test
    void strictJsonStillReadsEveryFormTheApiDocuments() throws Exception {
        HttpResponse<String> escaped = server.adminJson("PATCH", "apikeys/basic-customer",
                " {\r\n\t\"description\" : \"caf\\u00e9 \\\"\\/\\\\ \\ud83d\\ude00 \u00e9\" } \n");
        assertEquals(200, escaped.statusCode(), escaped.body());
        assertEquals("caf\u00e9 \"/\\ \ud83d\ude00 \u00e9", json(escaped).get("description"));

        HttpResponse<String> patch = server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/remaining\",\"value\":\"3\"}]}");
        assertEquals(200, patch.statusCode(), patch.body());
        assertEquals(3, json(patch).get("remaining"));
        assertEquals(200, server.adminJson("PATCH", "usageplans/basic/keys/basic-customer/usage", "{\"remaining\":-0}").statusCode());
        assertEquals(200, server.adminJson("POST", "apikeys/dev-team/rotate", "{\"gracePeriodSeconds\":0}").statusCode());
        assertEquals(200, server.admin("POST", "apikeys/premium-customer/rotate", null, null).statusCode(), "a rotation needs no body");
        assertEquals(200, server.adminJson("PATCH", "apikeys/basic-customer", "{\"enabled\":true,\"description\":\"\","
                + "\"usagePlanIds\":[\"basic\"]}").statusCode());
    }

    @Test
    void aPostWithoutContentTypeIsRefusedWith415() throws Exception {
        HttpResponse<String> create = server.admin("POST", "apikeys", null, "{\"name\":\"typeless\",\"usagePlanIds\":[\"basic\"]}");
        assertProblem(415, create);
        assertEquals("Content-Type (none) is not accepted here; send application/json, or text/csv for an import",
                json(create).get("detail"));
        assertEquals(404, server.admin("GET", "apikeys/typeless").statusCode(), "no key was created");

        assertProblem(415, server.admin("PATCH", "apikeys/basic-customer", null, "{\"enabled\":false}"));
        assertProblem(415, server.admin("POST", "apikeys/basic-customer/rotate", null, "{}"));
        assertProblem(415, server.admin("PATCH", "usageplans/basic/keys/basic-customer/usage", null, "{\"reset\":true}"));
        assertProblem(415, server.admin("POST", "apikeys/import", null, "key,name\nimported-key-one-0123456789,typeless\n"));
        assertProblem(415, server.admin("POST", "apikeys?mode=import&format=csv", null, "key,name\nimported-key-one-0123456789,t\n"));
        assertProblem(415, server.admin("POST", "apikeys", "application/yaml", "name: typeless"));
        HttpResponse<String> latin1 = server.admin("PATCH", "apikeys/basic-customer", "application/json; charset=ISO-8859-1",
                "{\"enabled\":false}");
        assertProblem(415, latin1);
        assertEquals("the charset iso-8859-1 is not accepted; JSON and CSV are read as UTF-8", json(latin1).get("detail"));
        assertEquals(200, server.admin("PATCH", "apikeys/basic-customer", "application/json; charset=utf-8",
                "{\"description\":\"typed\"}").statusCode());
        assertEquals(true, json(server.admin("GET", "apikeys/basic-customer")).get("enabled"));
        assertNoFailureLogged();
    }

    private HttpResponse<String> send(String method, String path, String contentType, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url("/usage-plans/admin/" + path)))
                .method(method, body).header("Authorization", "Bearer " + AdminServer.TOKEN);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return Http.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), Problem.shorten(response.body(), 500));
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> problem = json(response);
        assertEquals(status, problem.get("status"));
        assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), response.body());
    }

    private void assertNothingChangedAndNothingFailed() throws Exception {
        Map<String, Object> key = json(server.admin("GET", "apikeys/basic-customer"));
        assertEquals(true, key.get("enabled"));
        assertEquals("", key.get("description"));
        assertEquals(List.of("basic"), key.get("usagePlanIds"));
        assertEquals(3, ((List<?>) json(server.admin("GET", "apikeys")).get("items")).size());
        assertEquals(200, server.pets(AdminServer.BASIC_KEY).statusCode());
        assertNoFailureLogged();
    }

    private void assertNoFailureLogged() {
        assertEquals(List.of(), failures.records().stream().map(r -> r.getLoggerName() + ": " + r.getMessage() + " "
                + (r.getThrown() == null ? "" : r.getThrown().toString())).toList());
    }

    private static byte[] garbage(int size) {
        byte[] bytes = new byte[size];
        long seed = 42;
        for (int i = 0; i < size; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            bytes[i] = (byte) (seed >>> 56);
        }
        return bytes;
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(out.toByteArray(), out.size());
    }
}
