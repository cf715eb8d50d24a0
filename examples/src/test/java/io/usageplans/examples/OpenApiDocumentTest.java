package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.smallrye.openapi.api.SmallRyeOpenAPI;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;
import org.jboss.jandex.Index;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example's OpenAPI document as a MicroProfile server builds it (SmallRye OpenAPI, as in WildFly 39): scanned from
 * the JAX-RS classes, filtered by {@code usage-plans-microprofile}'s filter, which the example enables with the one
 * setting {@code mp.openapi.filter} in its {@code META-INF/microprofile-config.properties}. Every operation is checked.
 */
class OpenApiDocumentTest {

    private static final List<String> ALL_PLANS = List.of("basic", "dev", "premium");

    private static PetStoreApp app;
    private static OpenAPI document;

    @BeforeAll
    static void buildDocument() throws Exception {
        app = PetStoreApp.start(0); // the filter documents the running engine
        document = SmallRyeOpenAPI.builder()
                .withConfig(ConfigProvider.getConfig())
                .withIndex(index())
                .build()
                .model();
    }

    @AfterAll
    static void stop() throws Exception {
        app.stop();
    }

    private static Index index() throws IOException {
        return Index.of(PetStoreApplication.class, PetsResource.class, UsageResource.class, HealthResource.class,
                SignupResource.class);
    }

    private static Operation operation(String method, String path) {
        PathItem item = document.getPaths().getPathItem(path);
        assertNotNull(item, "no path " + path + " in " + document.getPaths().getPathItems().keySet());
        Operation operation = item.getOperations().get(PathItem.HttpMethod.valueOf(method));
        assertNotNull(operation, "no " + method + " " + path);
        return operation;
    }

    @Test
    void documentHasExactlyTheExamplesOperations() {
        Set<String> operations = new TreeSet<>();
        document.getPaths().getPathItems().forEach((path, item) ->
                item.getOperations().keySet().forEach(method -> operations.add(method + " " + path)));
        assertEquals(new TreeSet<>(List.of("GET /health", "GET /pets", "POST /pets", "GET /pets/{petId}",
                "GET /pets/export", "GET /usage", "POST /signup")), operations);
    }

    @Test
    void apiKeySchemeIsTheHeaderTheFilterReads() {
        SecurityScheme scheme = document.getComponents().getSecuritySchemes().get("apiKey");
        assertEquals(SecurityScheme.Type.APIKEY, scheme.getType());
        assertEquals(SecurityScheme.In.HEADER, scheme.getIn());
        assertEquals("x-api-key", scheme.getName());
    }

    @Test
    void everyMeteredOperationNeedsTheKeyAndDocumentsForbiddenAndTooManyRequests() {
        for (String[] op : new String[][] {{"GET", "/pets"}, {"POST", "/pets"}, {"GET", "/pets/{petId}"},
                {"GET", "/pets/export"}, {"GET", "/usage"}}) {
            String name = op[0] + " " + op[1];
            Operation operation = operation(op[0], op[1]);
            assertEquals(1, operation.getSecurity().size(), name);
            assertTrue(operation.getSecurity().get(0).hasScheme("apiKey"), name);

            APIResponse forbidden = operation.getResponses().getAPIResponse("403");
            assertNotNull(forbidden, name);
            assertEquals(Map.of("message", "Forbidden"),
                    forbidden.getContent().getMediaType("application/json").getExamples().get("forbidden").getValue(), name);

            APIResponse tooMany = operation.getResponses().getAPIResponse("429");
            assertNotNull(tooMany, name);
            assertEquals(Set.of("Retry-After", "RateLimit", "RateLimit-Policy"), tooMany.getHeaders().keySet(), name);
            MediaType json = tooMany.getContent().getMediaType("application/json");
            assertEquals("#/components/schemas/UsagePlansMessage", json.getSchema().getRef(), name);
            assertEquals(Map.of("message", "Too Many Requests"), json.getExamples().get("throttled").getValue(), name);
            assertEquals(Map.of("message", "Limit Exceeded"), json.getExamples().get("quota_exceeded").getValue(), name);

            // the answers the application itself gives carry the RateLimit fields too
            APIResponse ok = operation.getResponses().getAPIResponses().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("2")).map(Map.Entry::getValue).findFirst().orElseThrow();
            assertTrue(ok.getHeaders().keySet().containsAll(Set.of("RateLimit", "RateLimit-Policy")), name);
        }
    }

    @Test
    void usagePlansExtensionNamesThePlansAndTheMethodThrottle() {
        Map<String, Object> getPets = new java.util.LinkedHashMap<>(plans(ALL_PLANS, null));
        getPets.put("stageThrottle", Map.of("rateLimit", 500.0, "burstLimit", 1000)); // all callers together
        assertEquals(getPets, operation("GET", "/pets").getExtensions().get("x-usage-plans"));
        assertEquals(plans(ALL_PLANS, null), operation("POST", "/pets").getExtensions().get("x-usage-plans"));
        assertEquals(plans(ALL_PLANS, null), operation("GET", "/usage").getExtensions().get("x-usage-plans"));
        assertEquals(plans(List.of("premium"), null), operation("GET", "/pets/export").getExtensions().get("x-usage-plans"));
        assertEquals(plans(ALL_PLANS, Map.of("rateLimit", 1.0, "burstLimit", 3)),
                operation("GET", "/pets/{petId}").getExtensions().get("x-usage-plans"));
    }

    private static Map<String, Object> plans(List<String> names, Map<String, Object> methodThrottle) {
        return Map.of("plans", names.stream().map(name -> methodThrottle == null
                ? Map.of("name", name, "cost", 1L)
                : Map.of("name", name, "cost", 1L, "methodThrottle", methodThrottle)).toList());
    }

    @Test
    void keylessSignupNeedsNoKeyAndDocumentsTooManyRequestsAndItsPlanPerClientAddress() {
        Operation signup = operation("POST", "/signup");
        assertNull(signup.getSecurity(), "a keyless operation needs no key");
        assertFalse(signup.getResponses().hasAPIResponse("403"));
        APIResponse tooMany = signup.getResponses().getAPIResponse("429");
        assertNotNull(tooMany);
        assertEquals(Set.of("Retry-After", "RateLimit", "RateLimit-Policy"), tooMany.getHeaders().keySet());
        MediaType json = tooMany.getContent().getMediaType("application/json");
        assertEquals(Map.of("message", "Too Many Requests"), json.getExamples().get("throttled").getValue());
        assertFalse(json.getExamples().containsKey("quota_exceeded"), "the signup plan has no quota");
        assertEquals(Map.of("plans", List.of(), "keyless", Map.of("plan", "signup",
                        "throttle", Map.of("rateLimit", 0.08334, "burstLimit", 5))),
                signup.getExtensions().get("x-usage-plans"));
    }

    @Test
    void unmeteredHealthGetsNoSchemeNoRefusalsAndNoExtension() {
        Operation health = operation("GET", "/health");
        assertNull(health.getSecurity());
        assertFalse(health.getResponses().hasAPIResponse("403"));
        assertFalse(health.getResponses().hasAPIResponse("429"));
        assertTrue(health.getExtensions() == null || !health.getExtensions().containsKey("x-usage-plans"));
        assertTrue(health.getResponses().getAPIResponse("200").getHeaders() == null);
    }
}
