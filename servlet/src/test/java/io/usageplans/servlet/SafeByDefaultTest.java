package io.usageplans.servlet;

import static io.usageplans.servlet.FilterConfigurationTest.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.usageplans.Throttle;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Http;
import io.usageplans.testsupport.JettyApp;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's mistakes never open an endpoint: the application is wired as a WAR wires it (this jar's start-up
 * listener, then the filter), with only settings and a plan file, and each mistake stops the start-up with a message
 * that says what to do, unless metering is deliberately switched off.
 */
class SafeByDefaultTest {

    private static final String PLANS = """
            api: OrdersAPI
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                apiStages:
                  - stage: shop
              - name: pro
                throttle: { rateLimit: 50, burstLimit: 100 }
                apiStages:
                  - stage: shop
                    throttle:
                      "/orders/{id}/GET": { rateLimit: 1, burstLimit: 2 }
            apiKeys:
              - name: basic-customer
                value: orders-basic-key-0123456789
                plans: [basic]
            """;

    @TempDir
    Path dir;

    private JettyApp server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Context {@code /orders-tomcat}, a servlet at {@code /status}, a JAX-RS-like servlet at {@code /api/*}. */
    private void start(Map<String, String> contextParams, Path webRoot) throws Exception {
        FilterHolder filter = new FilterHolder(UsagePlanFilter.class);
        filter.setName("UsagePlans");
        JettyApp app = JettyApp.context("/orders-tomcat").initParameters(contextParams)
                .configure(context -> {
                    if (webRoot != null) {
                        context.setBaseResource(ResourceFactory.of(context).newResource(webRoot));
                    }
                })
                .listener(new UsagePlansBootstrap())
                .filter(filter)
                .servlet(new ServletHolder("status", TestServer.AppServlet.class), "/status")
                // as Jersey's initializer registers an application: named after it (here the JAX-RS type itself)
                .servlet(new ServletHolder("jakarta.ws.rs.core.Application", TestServer.AppServlet.class), "/api/*")
                .start();
        if (!app.available()) {
            app.close();
            throw new IllegalStateException("the application did not start");
        }
        server = app;
    }

    private Map<String, String> plans(String text, String... more) throws Exception {
        Path file = Files.writeString(dir.resolve("usage-plans.yaml"), text);
        Map<String, String> params = new java.util.HashMap<>(Map.of("usageplans.config", file.toString()));
        for (int i = 0; i < more.length; i += 2) {
            params.put(more[i], more[i + 1]);
        }
        return params;
    }

    /** A web root whose WEB-INF/classes holds {@link AnnotatedService}, as a WAR with an annotated resource does. */
    private Path webRootWithAnnotatedService() throws Exception {
        Path classes = dir.resolve("web/WEB-INF/classes/io/usageplans/servlet");
        Files.createDirectories(classes);
        try (var in = AnnotatedService.class.getResourceAsStream("AnnotatedService.class")) {
            Files.copy(in, classes.resolve("AnnotatedService.class"));
        }
        return dir.resolve("web");
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
        if (key != null) {
            request.header("x-api-key", key);
        }
        return Http.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aContextPathThatNoPlanNamesAsAStageStopsStartUpSayingWhichStageAndHowToSetIt() throws Exception {
        String fixed = PLANS.replace("\"/orders/{id}/GET\"", "\"/api/orders/{id}/GET\"");
        Exception failure = assertThrows(Exception.class, () -> start(plans(fixed), null));
        String message = messages(failure);
        assertTrue(message.contains("usage-plans: " + dir.resolve("usage-plans.yaml") + ": stage: no plan of API OrdersAPI "
                + "applies to stage 'orders-tomcat' (the context path /orders-tomcat, as usageplans.stage is not set); the plans "
                + "name stage shop. Set usageplans.stage=shop (context-param, init-param, system property or USAGEPLANS_STAGE), "
                + "or add stage 'orders-tomcat' to a plan's apiStages."), message);
    }

    @Test
    void theStageFromAContextParamIsMeteredAndTheStartUpLineSaysWhatRuns() throws Exception {
        String fixed = PLANS.replace("\"/orders/{id}/GET\"", "\"/api/orders/{id}/GET\"");
        List<String> lines;
        try (LogRecorder startUp = LogRecorder.of(UsagePlansBootstrap.class).start()) {
            start(plans(fixed, "usageplans.stage", "shop"), null);
            lines = startUp.messages();
        }
        assertEquals(List.of("usage-plans: metering API OrdersAPI, stage 'shop' (context-param usageplans.stage): plans "
                + "[basic, pro] of [basic, pro], 1 keys, key source header:x-api-key, store local, metered: every request of the "
                + "stage (1 method throttles), plans and keys from " + dir.resolve("usage-plans.yaml")), lines);
        assertEquals(403, get("/api/orders/1", null).statusCode());
        assertEquals(200, get("/api/orders/1", "orders-basic-key-0123456789").statusCode());
    }

    @Test
    void aPlanFileMethodKeyWithoutTheJaxRsApplicationPathStopsStartUpWithTheKeyItShouldBe() throws Exception {
        Exception failure = assertThrows(Exception.class, () -> start(plans(PLANS, "usageplans.stage", "shop"), null));
        String message = messages(failure);
        assertTrue(message.contains("usage-plans: " + dir.resolve("usage-plans.yaml") + ", line 12: "
                + "plans[pro].apiStages[0].throttle[\"/orders/{id}/GET\"]: matches no route of this application, so it limits "
                + "nothing. Method keys are relative to the context path (/orders-tomcat) and include the JAX-RS application "
                + "path (/api): did you mean \"/api/orders/{id}/GET\"?"), message);
    }

    @Test
    void annotatedClassesThatOnlyTheCdiModuleCouldReadStopStartUpNamingTheClassAndTheModule() throws Exception {
        Path web = webRootWithAnnotatedService();
        String fixed = PLANS.replace("\"/orders/{id}/GET\"", "\"/api/orders/{id}/GET\"");
        Exception failure = assertThrows(Exception.class, () -> start(plans(fixed, "usageplans.stage", "shop"),
                web));
        String message = messages(failure);
        assertTrue(message.contains("usage-plans: io.usageplans.servlet.AnnotatedService carries @UsagePlan, @MethodThrottle "
                + "or @Unmetered, but nothing in this application enforces those annotations: usage-plans-servlet alone meters "
                + "servlets and the plan file only; annotated JAX-RS resources and CDI beans need the CDI module: depend on "
                + "io.usageplans:usage-plans-cdi instead (it brings usage-plans-servlet). The deployment stops so that these "
                + "endpoints are never served without a key; usageplans.enabled=false switches metering off deliberately"),
                message);
    }

    @Test
    void everyMistakeIsReportedAtOnce() throws Exception {
        Path web = webRootWithAnnotatedService();
        Exception failure = assertThrows(Exception.class, () -> start(plans(PLANS, "usageplans.stage", "shop"),
                web));
        String message = messages(failure);
        assertTrue(message.contains("usage-plans: 2 problems:"), message);
        assertTrue(message.contains("AnnotatedService carries @UsagePlan"), message);
        assertTrue(message.contains("throttle[\"/orders/{id}/GET\"]: matches no route"), message);
    }

    @Test
    void theOffSwitchStillOpensEverythingDeliberatelyDespiteTheMistakes() throws Exception {
        start(plans(PLANS, "usageplans.enabled", "false"), null);
        assertEquals(200, get("/api/orders/1", null).statusCode());
        assertEquals(200, get("/status", null).statusCode());
    }

    @Test
    void anEngineWhoseCatalogNoLongerNamesItsStageRefusesEveryMeteredRequest() throws Exception {
        Catalog shop = PlanFile.parse(PLANS, "plans.yaml");
        try (UsagePlans engine = UsagePlans.builder(shop).stage("shop").clock(MutableClock.at("2026-11-28T10:00:00Z")).build();
             TestServer app = TestServer.withEngine(engine)) {
            assertEquals(200, app.get("/orders", "orders-basic-key-0123456789").statusCode());
            engine.replaceCatalog(Catalog.builder().api("OrdersAPI")
                    .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).stage("prod").build())
                    .apiKey(io.usageplans.ApiKey.builder("basic-customer").value("orders-basic-key-0123456789").plans("basic").build())
                    .build());
            HttpResponse<String> refused = app.get("/orders", "orders-basic-key-0123456789");
            assertEquals(403, refused.statusCode());
            assertEquals("{\"message\":\"Forbidden\"}", refused.body());
            assertEquals(403, app.get("/orders", null).statusCode());
        }
    }
}
