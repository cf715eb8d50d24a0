package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AWS ImportApiKeys over HTTP: all rows or none, every bad row named with its line, column and value. */
class CsvImportOverHttpTest {

    private UsagePlans engine;
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(MutableClock.at("2026-11-25T10:00:00Z")).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    @Test
    void importedKeysWorkAtOnce() throws Exception {
        String csv = """
                key,name,description,enabled,usageplanIds
                imported-key-one-0123456789,importer-one,"first, with a comma",true,premium
                imported-key-two-0123456789,importer-two,,false,basic
                """;

        HttpResponse<String> imported = server.admin("POST", "apikeys?mode=import&format=csv", "text/csv", csv);

        assertEquals(201, imported.statusCode(), imported.body());
        assertEquals("{\"ids\":[\"importer-one\",\"importer-two\"],\"warnings\":[]}", imported.body());
        assertEquals(200, server.pets("imported-key-one-0123456789").statusCode());
        assertEquals(403, server.pets("imported-key-two-0123456789").statusCode(), "imported disabled");
        Map<String, Object> one = json(server.admin("GET", "apikeys/importer-one"));
        assertEquals("first, with a comma", one.get("description"));
        assertEquals("impo…6789", one.get("value"));

        HttpResponse<String> atPath = server.admin("POST", "apikeys/import", "text/csv",
                "name,key,usageplanIds\nimporter-three,imported-key-three-0123456789,dev\n");
        assertEquals(201, atPath.statusCode(), atPath.body());
        assertEquals(200, server.pets("imported-key-three-0123456789").statusCode());
    }

    @Test
    void anImportWithBadRowsNamesEachOneAndImportsNothing() throws Exception {
        String csv = """
                key,name,description,enabled,usageplanIds
                good-key-value-0123456789,good-one,,true,basic
                maybe-key-value-0123456789,maybe,,maybe,basic
                short,too-short,,true,basic
                gold-key-value-0123456789,gold-customer,,true,gold
                other-key-value-0123456789,basic-customer,,true,basic
                """;

        HttpResponse<String> refused = server.admin("POST", "apikeys?mode=import&format=csv", "text/csv", csv);

        assertEquals(400, refused.statusCode());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> problem = json(refused);
        assertEquals("csv", problem.get("field"));
        assertTrue(((String) problem.get("detail")).startsWith("nothing was imported: 4 problems"), (String) problem.get("detail"));
        assertEquals(List.of(
                Map.of("row", 3, "field", "enabled", "value", "maybe", "detail", "must be true or false"),
                Map.of("row", 4, "field", "key", "value", "…", "detail", "the key value has 5 characters; a key needs 20 to 128"),
                Map.of("row", 5, "field", "usageplanIds", "value", "gold", "detail",
                        "unknown plan 'gold'; the plans are [basic, premium, dev]"),
                Map.of("row", 6, "field", "name", "value", "basic-customer", "detail", "a key named 'basic-customer' exists already")),
                problem.get("errors"));

        assertEquals(403, server.pets("good-key-value-0123456789").statusCode(), "the good row was not imported either");
        String keys = server.admin("GET", "apikeys").body();
        assertFalse(keys.contains("good-one"), keys);
        assertEquals(3, ((List<?>) json(server.admin("GET", "apikeys")).get("items")).size());
    }

    @Test
    void aCsvNeedsTheImportModeAndTheCsvMediaType() throws Exception {
        String csv = "key,name\nplain-key-value-0123456789,plain\n";
        HttpResponse<String> noMode = server.admin("POST", "apikeys", "text/csv", csv);
        assertEquals(400, noMode.statusCode());
        assertEquals("mode", json(noMode).get("field"));

        HttpResponse<String> otherFormat = server.admin("POST", "apikeys?mode=import&format=tsv", "text/csv", csv);
        assertEquals(400, otherFormat.statusCode());
        assertEquals("tsv", json(otherFormat).get("value"));

        HttpResponse<String> asText = server.admin("POST", "apikeys?mode=import&format=csv", "text/plain", csv);
        assertEquals(415, asText.statusCode());
        assertEquals("application/problem+json", asText.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<String> headerOnly = server.admin("POST", "apikeys/import", "text/csv", "key,name\n");
        assertEquals(400, headerOnly.statusCode());
        assertEquals("the CSV has a header but no keys", json(headerOnly).get("detail"));
    }
}
