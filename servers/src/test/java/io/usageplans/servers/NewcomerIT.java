package io.usageplans.servers;

import static io.usageplans.servers.ServerMatrixIT.field;
import static io.usageplans.servers.ServerMatrixIT.header;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import com.example.orders.code.CodeCatalog;

/**
 * Safe by default: a newcomer's app, written only from the README's guide ({@code newcomer-app}: an orders API, two
 * plans, a stage set in {@code web.xml}), on Tomcat ({@code orders-servlet.war}) and WildFly ({@code orders-ee.war}).
 * The right WAR, at {@code /orders}, must meter as the plan file says; next to it, three copies with a newcomer's
 * mistakes must each stop their deployment with a message saying what to do, and never serve their endpoints open:
 * <ol>
 * <li>{@code /mistake1}: the servlet jar only (no {@code usage-plans-cdi}), with annotated JAX-RS resources;</li>
 * <li>{@code /orders-tomcat}: no {@code usageplans.stage}, so the stage is the context path, which no plan names;</li>
 * <li>{@code /mistake3}: a plan-file method key without the JAX-RS application path ({@code /orders/{id}/GET}).</li>
 * </ol>
 * And one copy, at {@code /orders-code}, that builds its catalog in code as the README says ({@link CodeCatalog}: an
 * alternative producer, no plan file), which must deploy and meter with the plans and keys of that catalog.
 * Each server starts once with all five WARs, on its {@link ServerKind#port} + {@value #PORT_OFFSET} (clear of
 * {@link ServerMatrixIT}'s ports, which may run in the same build), and is stopped after the tests.
 */
@ParameterizedClass(name = "{0}", allowZeroInvocations = true)
@MethodSource("servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewcomerIT {

    // ---- what the mistakes must log: every fragment on one line of the server's log ----------------------------------
    /** Mistake 1: the servlet jar alone cannot read annotations on JAX-RS resources; the message names the module and the class. */
    static final List<String> SERVLET_JAR_ONLY_MESSAGE = List.of("usage-plans: ", "usage-plans-cdi", "com.example.orders.OrdersResource");
    /** Mistake 2: the stage taken from the context path is one no plan names; the message names it and the setting. */
    static final List<String> STAGE_NOT_IN_PLANS_MESSAGE = List.of("usage-plans: ", "stage 'orders-tomcat'", "usageplans.stage");
    /** Mistake 3: the method key matches no route, and the message suggests the key with the application path. */
    static final List<String> METHOD_KEY_MESSAGE = List.of("/orders/{id}/GET", "matches no route", "/api/orders/{id}/GET");
    /** The catalog built in code: the start-up line of its deployment says where plans and keys come from. */
    static final List<String> CATALOG_IN_CODE_LINE = List.of("usage-plans: metering API OrdersAPI", "plans and keys from a catalog built in code");

    // ---- what callers see -----------------------------------------------------------------------------------------------
    static final String FORBIDDEN = "{\"message\":\"Forbidden\"}";
    static final String LIMIT_EXCEEDED = "{\"message\":\"Limit Exceeded\"}";
    static final String TOO_MANY_REQUESTS = "{\"message\":\"Too Many Requests\"}";
    static final String STATUS_UP = "{\"status\":\"UP\"}";
    /** The method throttle of the pro plan on {@code GET /api/orders/{id}}, as it appears in {@code RateLimit-Policy}. */
    static final String PRO_METHOD_POLICY = "\"pro-/api/orders/{id}/GET\";q=2";
    /** The basic plan's quota per day, and the name of its policy in {@code RateLimit}. */
    static final int BASIC_QUOTA = 5;
    static final String BASIC_DAY = "basic-day";
    /** The pro plan's method throttle on {@code GET /api/orders/{id}}: a burst of 2, 1 more per second. */
    static final int PRO_METHOD_BURST = 2;

    // ---- the app and where it runs ----------------------------------------------------------------------------------------
    static final String BASIC = "orders-basic-key-0123456789";
    static final String PRO = "orders-pro-key-0123456789";
    static final String RIGHT = "orders";
    static final String SERVLET_JAR_ONLY = "mistake1";
    static final String CONTEXT_NOT_A_STAGE = "orders-tomcat";
    static final String METHOD_KEY_WITHOUT_API = "mistake3";
    static final String CATALOG_IN_CODE = "orders-code";
    static final String CATALOG_WITH_METHOD_PRIORITY = "orders-code-method";
    static final int PORT_OFFSET = 50;

    private static RunningServer running;

    @Parameter
    ServerKind server;

    /** The selected servers ({@code -Dservers}) among Tomcat and WildFly. */
    static Stream<ServerKind> servers() {
        return Harness.selectedServers().filter(kind -> kind == ServerKind.TOMCAT || kind == ServerKind.WILDFLY);
    }

    @BeforeParameterizedClassInvocation
    static void start(ServerKind server) throws Exception {
        try {
            Path war = NewcomerWars.war(server == ServerKind.TOMCAT ? NewcomerWars.SERVLET_WAR : NewcomerWars.EE_WAR);
            Map<String, Path> wars = new LinkedHashMap<>();
            wars.put(RIGHT, war);
            wars.put(SERVLET_JAR_ONLY, NewcomerWars.withoutCdiJar(war));
            wars.put(CONTEXT_NOT_A_STAGE, NewcomerWars.withoutStageParam(war));
            wars.put(METHOD_KEY_WITHOUT_API, NewcomerWars.methodKeyWithoutApplicationPath(war));
            wars.put(CATALOG_IN_CODE, NewcomerWars.withCatalogInCode(war));
            wars.put(CATALOG_WITH_METHOD_PRIORITY, NewcomerWars.withCatalogInCode(war,
                    com.example.orders.code.MethodPriorityCatalog.class, "code-method"));
            running = RunningServer.start(server, "newcomer-" + server.id, server.port + PORT_OFFSET, wars, "", Map.of());
            if (!"deployed".equals(running.apps.get(RIGHT))) {
                throw new IllegalStateException("the newcomer's orders WAR did not deploy on " + server + "; see " + running.logs
                        + "; usage-plans said:\n" + String.join("\n", usagePlansLines(20)));
            }
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    private static String url(String context, String path) {
        return running.app(context) + path;
    }

    // ---- the right WAR ----------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void ordersWithoutAKeyAreForbiddenWithTheGatewaysBody() throws Exception {
        HttpResponse<String> r = Http.get(url(RIGHT, "/api/orders"), null);
        assertEquals(403, r.statusCode(), r.body());
        assertEquals(FORBIDDEN, r.body());
        assertTrue(header(r, "Content-Type").startsWith("application/json"), header(r, "Content-Type"));
    }

    @Test
    @Order(2)
    void basicKeyReadsOrdersAndSeesRateLimitFields() throws Exception {
        HttpResponse<String> r = Http.get(url(RIGHT, "/api/orders"), BASIC);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("[{\"id\":1,"), r.body());
        assertTrue(header(r, "RateLimit-Policy").contains("\"" + BASIC_DAY + "\";q=" + BASIC_QUOTA), header(r, "RateLimit-Policy"));
        header(r, "RateLimit");
    }

    @Test
    @Order(3)
    void creatingAnOrderNeedsTheProPlanOnTheMethod() throws Exception {
        HttpResponse<String> basic = Http.send("POST", url(RIGHT, "/api/orders"), BASIC, "{\"item\":\"tea\",\"quantity\":1}");
        assertEquals(403, basic.statusCode(), basic.body());
        assertEquals(FORBIDDEN, basic.body());
        HttpResponse<String> pro = Http.send("POST", url(RIGHT, "/api/orders"), PRO, "{\"item\":\"tea\",\"quantity\":1}");
        assertEquals(201, pro.statusCode(), pro.body());
        assertTrue(pro.body().startsWith("{\"id\":"), pro.body());
    }

    @Test
    @Order(4)
    void statusServletNeedsNoKeyAndIsNotMetered() throws Exception {
        HttpResponse<String> r = Http.get(url(RIGHT, "/status"), null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(STATUS_UP, r.body());
        assertFalse(r.headers().firstValue("RateLimit-Policy").isPresent(), "not metered: " + r.headers().map());
    }

    @Test
    @Order(5)
    void proKeysMethodThrottleFromThePlanFileAllowsABurstOfTwoThenTooManyRequests() throws Exception {
        long first = System.nanoTime();
        int passed = 0;
        HttpResponse<String> rejected = null;
        while (rejected == null && passed < 10) {
            HttpResponse<String> r = Http.get(url(RIGHT, "/api/orders/1"), PRO);
            if (r.statusCode() == 429) {
                rejected = r;
            } else {
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().startsWith("{\"id\":1,"), r.body());
                assertTrue(header(r, "RateLimit-Policy").contains(PRO_METHOD_POLICY), header(r, "RateLimit-Policy"));
                passed++;
            }
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        assertNotNull(rejected, "10 quick calls of GET /api/orders/{id} cannot all pass a burst of 2 and 1 per second");
        // a burst of 2, plus 1 per second since the first call: 200 200 429 when they are quick
        assertTrue(passed >= PRO_METHOD_BURST && passed <= PRO_METHOD_BURST + (int) seconds, passed + " calls passed in " + seconds + " s");
        assertEquals(TOO_MANY_REQUESTS, rejected.body());
        assertEquals("1", header(rejected, "Retry-After"));
    }

    /** Last of the right WAR's tests: it uses up the basic key's quota for the day (on this server's fresh store). */
    @Test
    @Order(6)
    void basicKeysFifthRequestOfTheDayPassesAndSixthIsLimitExceeded() throws Exception {
        UtcDay.within(() -> {
            int passed = 0;
            int usedBefore = -1;
            HttpResponse<String> rejected = null;
            while (rejected == null && passed <= BASIC_QUOTA) {
                HttpResponse<String> r = Http.get(url(RIGHT, "/api/orders"), BASIC);
                if (r.statusCode() == 429) {
                    rejected = r;
                } else {
                    assertEquals(200, r.statusCode(), r.body());
                    int left = field(header(r, "RateLimit"), BASIC_DAY, "r");
                    if (usedBefore < 0) {
                        usedBefore = BASIC_QUOTA - 1 - left; // the earlier tests' requests
                    }
                    passed++;
                    assertEquals(BASIC_QUOTA - usedBefore - passed, left, "quota left after request " + (usedBefore + passed));
                }
            }
            assertNotNull(rejected, "the basic key passed " + passed + " requests after " + usedBefore + " with a quota of " + BASIC_QUOTA);
            assertEquals(BASIC_QUOTA, Math.max(usedBefore, 0) + passed, "requests of the basic key that passed today");
            assertEquals(LIMIT_EXCEEDED, rejected.body());
            assertTrue(Long.parseLong(header(rejected, "Retry-After")) > 0);
        });
    }

    // ---- the catalog built in code -------------------------------------------------------------------------------------

    /**
     * The README's alternative producer ({@code @Produces @Alternative @Priority(1) @Singleton Catalog}) in a copy of the
     * right WAR without its plan file: it deploys, the code's key creates orders, the plan file's pro key (which only
     * the file has) is refused, a request without a key too, and the start-up line names the catalog built in code.
     */
    @Test
    void aCatalogBuiltInCodeReplacesThePlanFileOnEveryServer() throws Exception {
        String order = "{\"item\":\"tea\",\"quantity\":1}";
        assertAll("/" + CATALOG_IN_CODE + " on " + server,
                () -> assertEquals("deployed", running.apps.get(CATALOG_IN_CODE), "the WAR with a catalog built in code must "
                        + "deploy; usage-plans logged:\n" + String.join("\n", usagePlansLines(30))),
                () -> {
                    HttpResponse<String> code = Http.send("POST", url(CATALOG_IN_CODE, "/api/orders"), CodeCatalog.KEY, order);
                    assertEquals(201, code.statusCode(), "POST /api/orders with the code's pro key: " + code.body());
                },
                () -> {
                    HttpResponse<String> file = Http.send("POST", url(CATALOG_IN_CODE, "/api/orders"), PRO, order);
                    assertEquals(403, file.statusCode(), "POST /api/orders with the plan file's pro key, which the code's "
                            + "catalog lacks: " + file.body());
                    assertEquals(FORBIDDEN, file.body());
                },
                () -> {
                    HttpResponse<String> none = Http.get(url(CATALOG_IN_CODE, "/api/orders"), null);
                    assertEquals(403, none.statusCode(), "GET /api/orders without a key: " + none.body());
                    assertEquals(FORBIDDEN, none.body());
                },
                () -> assertTrue(running.logLine(CATALOG_IN_CODE_LINE.toArray(String[]::new)).isPresent(), "no start-up line with "
                        + "all of " + CATALOG_IN_CODE_LINE + " in " + running.logs + "; usage-plans logged:\n"
                        + String.join("\n", usagePlansLines(30))));
    }

    /** The same with the priority on the producer method (CDI 4.1's form), which CDI 4.0 alone would ignore. */
    @Test
    void aCatalogProducerWithItsPriorityOnTheMethodAlsoReplacesThePlanFile() throws Exception {
        String order = "{\"item\":\"tea\",\"quantity\":1}";
        String key = com.example.orders.code.MethodPriorityCatalog.KEY;
        assertAll("/" + CATALOG_WITH_METHOD_PRIORITY + " on " + server,
                () -> assertEquals("deployed", running.apps.get(CATALOG_WITH_METHOD_PRIORITY), "usage-plans logged:\n"
                        + String.join("\n", usagePlansLines(30))),
                () -> assertEquals(201, Http.send("POST", url(CATALOG_WITH_METHOD_PRIORITY, "/api/orders"), key, order)
                        .statusCode(), "POST /api/orders with the code's key"),
                () -> assertEquals(403, Http.send("POST", url(CATALOG_WITH_METHOD_PRIORITY, "/api/orders"), PRO, order)
                        .statusCode(), "POST /api/orders with the plan file's pro key, which the code's catalog lacks"));
    }

    // ---- the mistakes -----------------------------------------------------------------------------------------------------

    @Test
    void servletJarAloneWithAnnotatedJaxRsResourcesStopsTheDeploymentNamingTheCdiModule() throws Exception {
        HttpResponse<String> open = Http.send("POST", url(SERVLET_JAR_ONLY, "/api/orders"), null, "{\"item\":\"tea\",\"quantity\":1}");
        assertMistakeStopped(SERVLET_JAR_ONLY, "POST /api/orders without a key", open, SERVLET_JAR_ONLY_MESSAGE);
    }

    @Test
    void contextPathThatNoPlanNamesAsAStageStopsTheDeploymentNamingTheStageAndTheSetting() throws Exception {
        HttpResponse<String> open = Http.send("POST", url(CONTEXT_NOT_A_STAGE, "/api/orders"), null, "{\"item\":\"tea\",\"quantity\":1}");
        assertMistakeStopped(CONTEXT_NOT_A_STAGE, "POST /api/orders without a key", open, STAGE_NOT_IN_PLANS_MESSAGE);
    }

    @Test
    void methodKeyWithoutTheJaxRsApplicationPathStopsTheDeploymentSuggestingTheFullKey() throws Exception {
        HttpResponse<String> open = Http.get(url(METHOD_KEY_WITHOUT_API, "/api/orders/1"), null);
        assertMistakeStopped(METHOD_KEY_WITHOUT_API, "GET /api/orders/1 without a key", open, METHOD_KEY_MESSAGE);
    }

    /**
     * The WAR at {@code context} must not serve {@code request} (no 2xx), must have failed to deploy, and the log must
     * say why in one line with every one of {@code message}; the server and the right WAR go on. All four are checked
     * and reported together.
     */
    private void assertMistakeStopped(String context, String request, HttpResponse<String> response, List<String> message) {
        int status = response.statusCode();
        assertAll("/" + context + " on " + server,
                () -> assertFalse(status >= 200 && status < 300, "/" + context + " must never serve " + request + "; it answered "
                        + status + " " + response.body()),
                () -> assertEquals("failed", running.apps.get(context), "/" + context + " must not deploy"),
                () -> assertTrue(running.logLine(message.toArray(String[]::new)).isPresent(), "no log line with all of "
                        + message + " in " + running.logs + "; usage-plans logged:\n"
                        + String.join("\n", usagePlansLines(30))),
                () -> assertEquals(200, Http.get(url(RIGHT, "/status"), null).statusCode(), "the right WAR goes on answering"));
    }

    /** Up to {@code max} lines of the server's logs from usage-plans (its messages, its loggers), for failure messages. */
    private static List<String> usagePlansLines(int max) {
        List<String> found = new ArrayList<>();
        for (Path log : running.logs) {
            if (!Files.exists(log)) {
                continue;
            }
            try (Stream<Path> files = Files.isDirectory(log) ? Files.walk(log).filter(Files::isRegularFile) : Stream.of(log)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
                        lines.filter(line -> line.contains("usage-plans: ") || line.contains("io.usageplans"))
                                .limit(Math.max(0, max - found.size())).forEach(line -> found.add("  " + file.getFileName() + ": " + line));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }
}
