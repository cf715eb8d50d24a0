package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.PlanFileLocator;
import io.usageplans.config.PlanFileReloader;
import io.usageplans.config.Settings;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file reloaded while the application serves: watched on disk, and on {@code POST reload}. */
class ReloadOverHttpTest {

    static final String KEY = "reload-basic-key-0123456789";
    static final String PLANS = """
            api: shop
            excludePaths: [ "/usage-plans/*" ]
            plans:
              - name: basic
                throttle: { rateLimit: 1, burstLimit: 2 }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: basic-customer, value: reload-basic-key-0123456789, plans: [basic] }
              - { name: old-customer, value: reload-old-key-0123456789, plans: [basic] }
            """;

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    private UsagePlans engine;
    private AdminServer server;

    private void start(String reload) throws Exception {
        Path file = dir.resolve("usage-plans.yaml");
        Files.writeString(file, PLANS);
        Map<String, String> parameters = new HashMap<>();
        parameters.put(PlanFileLocator.CONFIG, file.toString());
        parameters.put(EngineBootstrap.STAGE, "test");
        if (reload != null) {
            parameters.put(PlanFileReloader.RELOAD, reload);
        }
        engine = EngineBootstrap.of(Settings.of(parameters::get, null), getClass().getClassLoader()).clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aBurstChangedOnDiskShowsInTheNextRequestsHeaders() throws Exception {
        start("100");
        assertEquals("\"basic-burst\";q=2;w=2", server.pets(KEY).headers().firstValue("RateLimit-Policy").orElseThrow());

        Files.writeString(dir.resolve("usage-plans.yaml"), PLANS.replace("burstLimit: 2", "burstLimit: 9"));

        String policy = Await.until(() -> policy(), "\"basic-burst\";q=9;w=9"::equals, Duration.ofSeconds(5),
                "the new burst in the RateLimit-Policy field");
        assertEquals("\"basic-burst\";q=9;w=9", policy);
    }

    private String policy() {
        try {
            return server.pets(KEY).headers().firstValue("RateLimit-Policy").orElse(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReloadRequestAppliesTheFileAndABrokenFileIsA400NamingItsLine() throws Exception {
        start(null);
        HttpResponse<String> created = server.adminJson("POST", "apikeys", "{\"name\":\"made-here\",\"usagePlanIds\":[\"basic\"]}");
        assertEquals(201, created.statusCode(), created.body());
        Path file = dir.resolve("usage-plans.yaml");

        // line 5: the broken throttle
        Files.writeString(file, PLANS.replace("rateLimit: 1, burstLimit: 2", "rateLimit: fast, burstLimit: 2"));
        HttpResponse<String> broken = server.admin("POST", "reload");
        assertEquals(400, broken.statusCode(), broken.body());
        assertEquals("application/problem+json", broken.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> problem = json(broken);
        assertEquals(file.toString(), problem.get("file"));
        assertEquals(5, problem.get("line"));
        assertEquals("plans[basic].throttle.rateLimit", problem.get("entry"));
        assertTrue(((String) problem.get("detail")).contains("fast"), broken.body());
        assertEquals("\"basic-burst\";q=2;w=2", server.pets(KEY).headers().firstValue("RateLimit-Policy").orElseThrow(),
                "the old plans stay");

        Files.writeString(file, PLANS.replace("burstLimit: 2", "burstLimit: 4")
                .replace("  - { name: old-customer, value: reload-old-key-0123456789, plans: [basic] }\n",
                        "  - { name: new-customer, value: reload-new-key-0123456789, plans: [basic] }\n"));
        HttpResponse<String> reloaded = server.admin("POST", "reload");

        assertEquals(200, reloaded.statusCode(), reloaded.body());
        assertEquals("{\"source\":\"" + file + "\",\"changed\":true,\"plans\":{\"added\":[],\"changed\":[\"basic\"],"
                + "\"removed\":[]},\"keys\":{\"added\":[\"new-customer\"],\"changed\":[],\"removed\":[\"old-customer\"]},"
                + "\"counts\":{\"plansAdded\":0,\"plansChanged\":1,\"plansRemoved\":0,\"keysAdded\":1,\"keysChanged\":0,"
                + "\"keysRemoved\":1},\"needRestart\":[]}", reloaded.body());
        assertEquals("\"basic-burst\";q=4;w=4", server.pets(KEY).headers().firstValue("RateLimit-Policy").orElseThrow());
        assertEquals(200, server.pets("reload-new-key-0123456789").statusCode());
        assertEquals(403, server.pets("reload-old-key-0123456789").statusCode());
        List<?> keys = (List<?>) json(server.admin("GET", "apikeys")).get("items");
        assertEquals(List.of("basic-customer", "made-here", "new-customer"),
                keys.stream().map(k -> ((Map<?, ?>) k).get("name")).toList(), "the key made through the API stays");
    }

    @Test
    void anEngineWithoutAPlanFileHasNothingToReload() throws Exception {
        engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());

        HttpResponse<String> answer = server.admin("POST", "reload");

        assertEquals(409, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(401, server.call("POST", "reload", null, null, null).statusCode(), "the admin token as everywhere");
    }
}
