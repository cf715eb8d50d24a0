package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter as a WAR gets it: configured only by settings, finding its plan file, failing start-up on bad input. */
class FilterConfigurationTest {

    private static final String PLANS = """
            api: ConfigAPI
            plans:
              - name: only
                throttle: { rateLimit: 5, burstLimit: 2 }
                apiStages:
                  - stage: test
              - name: prod
                throttle: { rateLimit: 5, burstLimit: 7 }
                apiStages:
                  - stage: prod
            apiKeys:
              - name: k
                value: config-test-key-0123456789
                plans: [only, prod]
            """;

    @TempDir
    Path dir;

    @Test
    void planFileFromInitParamIsUsed() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString()))) {
            HttpResponse<String> r = server.get("/anything", "config-test-key-0123456789");
            assertEquals(200, r.statusCode());
            assertEquals("\"only-burst\";q=2;w=1", header(r, "RateLimit-Policy"), "stage 'test' from the context path /test");
        }
    }

    @Test
    void planFileFromTheClasspathIsUsedWhenNothingIsConfigured() throws Exception {
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", "classpath:tutorial.yaml"))) {
            assertEquals(200, server.get("/pets", "demo-basic-key-0123456789").statusCode());
            assertEquals(403, server.get("/pets", "demo-disabled-key-0123456789").statusCode());
        }
    }

    @Test
    void explicitStageOverridesTheContextPath() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.json"), """
                {"plans": [
                  {"name": "only", "throttle": {"rateLimit": 5, "burstLimit": 2}, "apiStages": [{"stage": "test"}]},
                  {"name": "prod", "throttle": {"rateLimit": 5, "burstLimit": 7}, "apiStages": [{"stage": "prod"}]}
                 ],
                 "apiKeys": [{"name": "k", "value": "config-test-key-0123456789", "plans": ["only", "prod"]}]}
                """);
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString(),
                "usageplans.stage", "prod"))) {
            HttpResponse<String> r = server.get("/x", "config-test-key-0123456789");
            assertEquals(200, r.statusCode());
            assertEquals("\"prod-burst\";q=7;w=2", header(r, "RateLimit-Policy"));
        }
    }

    @Test
    void excludedPathsNeedNoKeyAndGetNoRateLimitFields() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString(),
                "usageplans.exclude", "/health, /static/*, *.css"))) {
            for (String path : new String[] {"/health", "/static/app.js", "/static", "/theme/site.css"}) {
                HttpResponse<String> r = server.get(path, null);
                assertEquals(200, r.statusCode(), path);
                assertFalse(r.headers().firstValue("RateLimit").isPresent(), path);
            }
            assertEquals(403, server.get("/healthz", null).statusCode());
            assertEquals(403, server.get("/staticky", null).statusCode());
        }
    }

    @Test
    void keyCanComeFromAQueryParameter() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString(),
                "usageplans.key-source", "query:api_key"))) {
            assertEquals(200, server.get("/x?api_key=config-test-key-0123456789", null).statusCode());
            assertEquals(403, server.get("/x", "config-test-key-0123456789").statusCode(), "the header is not read");
        }
    }

    @Test
    void keyCanComeFromAnotherHeader() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString(),
                "usageplans.key-source", "header:Authorization-Key"))) {
            HttpRequest request = HttpRequest.newBuilder(server.uri("/x"))
                    .header("authorization-key", "config-test-key-0123456789").build();
            assertEquals(200, Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aBrokenPlanFileFailsStartUpNamingFileLineEntryAndValue() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.yaml"), PLANS.replace("rateLimit: 5, burstLimit: 2", "rateLimit: -5, burstLimit: 2"));
        Exception failure = assertThrows(Exception.class,
                () -> TestServer.withInitParams(Map.of("usageplans.config", file.toString())).close());
        String message = messages(failure);
        assertTrue(message.contains(file + ", line 4: plans[only].throttle.rateLimit: must be a number of requests per second "
                + "greater than 0 (like 10 or 0.5), was -5"), message);
    }

    @Test
    void aMissingPlanFileFailsStartUpNamingWhereItWasLookedFor() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        Exception failure = assertThrows(Exception.class,
                () -> TestServer.withInitParams(Map.of("usageplans.config", missing.toString())).close());
        String message = messages(failure);
        assertTrue(message.contains("the plan file named by init-param usageplans.config does not exist"), message);
        assertTrue(message.contains(missing.toString()), message);
    }

    @Test
    void anUnknownKeySourceFailsStartUp() throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        Exception failure = assertThrows(Exception.class, () -> TestServer.withInitParams(Map.of(
                "usageplans.config", file.toString(), "usageplans.key-source", "cookie:key")).close());
        assertTrue(messages(failure).contains("usageplans.key-source: 'cookie:key' is not header:<name>, query:<name>, principal"),
                messages(failure));
    }

    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(s).append('\n');
            }
        }
        return all.toString();
    }

}
