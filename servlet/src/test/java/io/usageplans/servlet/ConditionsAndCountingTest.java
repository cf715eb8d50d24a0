package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.Http;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** Which requests count: skip/only conditions before metering, and countStatuses decided after the response. */
class ConditionsAndCountingTest {

    static final String KEY = "conditions-test-key-0123456789";

    private static final String PLANS = """
            skip:
              - { header: X-Internal, equals: "yes" }
              - { header: User-Agent, matches: ".*HealthCheck.*" }
              - { method: OPTIONS }
              - { query: debug }
              - { path: /internal/* }
              - { role: operator }
              - { class: io.usageplans.servlet.ConditionsAndCountingTest$FromLoopbackProbe }
            plans:
              - name: two
                quota: { limit: 2, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: tester
                value: conditions-test-key-0123456789
                plans: [two]
            """;

    /** A condition of the application's own. */
    public static class FromLoopbackProbe implements MeteringCondition {
        @Override
        public boolean test(HttpServletRequest request) {
            return "probe".equals(request.getHeader("X-Probe"));
        }
    }

    /** Runs before ours: an authenticated operator, as a security layer would set it. */
    public static class OperatorLogin implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            if (request.getHeader("X-Operator") == null) {
                chain.doFilter(req, res);
                return;
            }
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public Principal getUserPrincipal() {
                    return () -> "ops";
                }

                @Override
                public boolean isUserInRole(String role) {
                    return role.equals("operator");
                }
            }, res);
        }
    }

    /** Runs after ours: a login check that answers 401 to a wrong password. */
    public static class PasswordCheck implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            if ("wrong".equals(((HttpServletRequest) req).getHeader("X-Password"))) {
                ((HttpServletResponse) res).sendError(401);
                return;
            }
            chain.doFilter(req, res);
        }
    }

    /** The application: fails with 500, or throws, when asked to. */
    public static class FlakyServlet extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if ("true".equals(request.getParameter("throw"))) {
                throw new IllegalStateException("the application fails (as this test asks it to)");
            }
            response.setStatus("true".equals(request.getParameter("fail")) ? 500 : 200);
            response.getWriter().write("done");
        }
    }

    /** An asynchronous application: answers on another thread, with 503 when asked to fail. */
    public static class AsyncServlet extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            boolean fail = "true".equals(request.getParameter("fail"));
            AsyncContext async = request.startAsync();
            async.start(() -> {
                try {
                    HttpServletResponse later = (HttpServletResponse) async.getResponse();
                    later.setStatus(fail ? 503 : 200);
                    later.getWriter().write(fail ? "later, maybe" : "done");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    /** The local store, counting the refunds the engine asks for. */
    private static final class CountingStore implements UsageStore {
        final LocalUsageStore local;
        final AtomicInteger refunds = new AtomicInteger();

        CountingStore(MutableClock clock) {
            this.local = LocalUsageStore.create(clock, Duration.ofMinutes(1), 0);
        }

        @Override
        public Consumption tryConsume(MeteringRequest request) {
            return local.tryConsume(request);
        }

        @Override
        public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
            local.refund(request, planBucket, methodBucket, quota);
            refunds.incrementAndGet();
        }

        @Override
        public void close() {
            local.close();
        }
    }

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private TestServer start(UsagePlans engine) throws Exception {
        return TestServer.start(c -> {
            c.addFilter(new FilterHolder(new OperatorLogin()), "/*", EnumSet.of(DispatcherType.REQUEST));
            c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
            c.addFilter(new FilterHolder(new PasswordCheck()), "/*", EnumSet.of(DispatcherType.REQUEST));
        });
    }

    private HttpResponse<String> call(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).header("x-api-key", KEY);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return Http.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsMatchingASkipConditionAreNeitherMeteredNorCounted() throws Exception {
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = start(engine)) {
            assertEquals(200, call(server, "/x").statusCode());
            String[][] skipped = {
                    {"/x", "X-Internal", "yes"}, {"/x", "User-Agent", "Acme HealthCheck/1.0"}, {"/x?debug", "X-Any", "1"},
                    {"/internal/jobs", "X-Any", "1"}, {"/x", "X-Operator", "1"}, {"/x", "X-Probe", "probe"}};
            for (int round = 0; round < 3; round++) {
                for (String[] s : skipped) {
                    HttpResponse<String> r = call(server, s[0], s[1], s[2]);
                    assertEquals(200, r.statusCode(), "skipped: " + s[1] + " on " + s[0]);
                    assertFalse(r.headers().firstValue("RateLimit").isPresent(), "not metered: " + s[1]);
                }
                HttpResponse<String> options = Http.CLIENT.send(HttpRequest.newBuilder(server.uri("/x"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, options.statusCode(), "OPTIONS is skipped, even without a key");
            }
            assertEquals(200, call(server, "/x", "X-Internal", "no").statusCode(), "equals, not present");
            HttpResponse<String> third = call(server, "/x");
            assertEquals(429, third.statusCode(), "only the 2 unskipped requests counted");
        }
    }

    @Test
    void onlyConditionsMeterNothingElse() throws Exception {
        String plans = PLANS.substring(PLANS.indexOf("plans:")).replace("plans:\n", "only:\n  - { path: /api/* }\nplans:\n");
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = start(engine)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, server.get("/public", null).statusCode());
            }
            assertEquals(403, server.get("/api/x", null).statusCode());
            assertEquals(200, call(server, "/api/x").statusCode());
        }
    }

    @Test
    void countOnly2xxTowardTheQuotaLetsExactlyTenSuccessesThrough() throws Exception {
        String plans = """
                plans:
                  - name: ten
                    quota: { limit: 10, period: DAY, countStatuses: 2xx }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: tester
                    value: conditions-test-key-0123456789
                    plans: [ten]
                """;
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = TestServer.start(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(FlakyServlet.class, "/flaky");
             })) {
            int successes = 0;
            int failures = 0;
            for (int i = 0; i < 30 && successes < 10; i++) {
                boolean fail = i % 3 == 0 && failures < 5;
                HttpResponse<String> r = call(server, "/flaky" + (fail ? "?fail=true" : ""));
                if (fail) {
                    assertEquals(500, r.statusCode());
                    failures++;
                } else {
                    assertEquals(200, r.statusCode(), "request " + i);
                    successes++;
                }
            }
            assertEquals(5, failures);
            assertEquals(10, successes);
            HttpResponse<String> eleventh = call(server, "/flaky");
            assertEquals(429, eleventh.statusCode(), "10 successes used the quota; the 5 failures gave theirs back");
            assertEquals("{\"message\":\"Limit Exceeded\"}", eleventh.body());
        }
    }

    @Test
    void anExceptionLeavingTheApplicationCountsAsTheServersErrorAndGivesItsUnitBack() throws Exception {
        String plans = """
                plans:
                  - name: two
                    quota: { limit: 2, period: DAY, countStatuses: 2xx }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: tester
                    value: conditions-test-key-0123456789
                    plans: [two]
                """;
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = TestServer.start(c -> {
                 c.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addServlet(FlakyServlet.class, "/flaky");
             })) {
            for (int i = 0; i < 4; i++) {
                assertEquals(500, call(server, "/flaky?throw=true").statusCode(), "the container's answer to the exception");
            }
            assertEquals(200, call(server, "/flaky").statusCode());
            assertEquals(200, call(server, "/flaky").statusCode());
            assertEquals(429, call(server, "/flaky").statusCode(), "only the two successes counted");
        }
    }

    @Test
    void countOnlyFailuresTowardAThrottleSeesThe401OfALaterFilter() throws Exception {
        String plans = """
                plans:
                  - name: login
                    throttle: { rateLimit: 0.001, burstLimit: 3, countStatuses: [401, 403] }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: tester
                    value: conditions-test-key-0123456789
                    plans: [login]
                """;
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = start(engine)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, call(server, "/login", "X-Password", "right").statusCode(), "successes do not count");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(401, call(server, "/login", "X-Password", "wrong").statusCode());
            }
            HttpResponse<String> r = call(server, "/login", "X-Password", "right");
            assertEquals(429, r.statusCode(), "three failures used the burst");
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void aFailedLoginCountsAndASuccessfulOneDoesNot() throws Exception {
        String plans = """
                plans:
                  - name: premium
                    throttle: { rateLimit: 1000, burstLimit: 2000 }
                    apiStages:
                      - stage: test
                        throttle:
                          "/login/POST": { rateLimit: 0.1, burstLimit: 5, countStatuses: [401, 403] }
                apiKeys:
                  - name: tester
                    value: conditions-test-key-0123456789
                    plans: [premium]
                """;
        try (UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).build();
             TestServer server = start(engine)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, post(server, "/login", "right").statusCode(), "successful login " + i + " does not count");
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(401, post(server, "/login", "wrong").statusCode(), "failed login " + i);
            }
            HttpResponse<String> sixth = post(server, "/login", "wrong");
            assertEquals(429, sixth.statusCode(), "five failed logins used the method's burst");
            assertEquals("10", sixth.headers().firstValue("Retry-After").orElse(null));
            assertEquals(429, post(server, "/login", "right").statusCode(), "the right password waits too");
            assertEquals(200, call(server, "/login").statusCode(), "GET /login has no method entry");
            clock.advance(Duration.ofSeconds(10));
            assertEquals(200, post(server, "/login", "right").statusCode(), "one token back after 10 s");
        }
    }

    private static HttpResponse<String> post(TestServer server, String path, String password) throws Exception {
        return Http.CLIENT.send(HttpRequest.newBuilder(server.uri(path)).header("x-api-key", KEY)
                .header("X-Password", password).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAsyncRequestWhoseStatusIsNotCountedGivesItsUnitsBack() throws Exception {
        String plans = """
                plans:
                  - name: two
                    quota: { limit: 2, period: DAY, countStatuses: 2xx }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: tester
                    value: conditions-test-key-0123456789
                    plans: [two]
                """;
        CountingStore store = new CountingStore(clock);
        try (store; UsagePlans engine = UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock)
                .store(store).build();
             TestServer server = TestServer.start(c -> {
                 FilterHolder filter = new FilterHolder(new UsagePlanFilter(engine));
                 filter.setAsyncSupported(true);
                 c.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
                 ServletHolder async = new ServletHolder(new AsyncServlet());
                 async.setAsyncSupported(true);
                 c.addServlet(async, "/async");
             })) {
            for (int i = 1; i <= 5; i++) {
                HttpResponse<String> failed = call(server, "/async?fail=true");
                assertEquals(503, failed.statusCode(), "failure " + i);
                assertEquals("later, maybe", failed.body());
                // the refund runs when the container completes the asynchronous request, which may follow the response
                awaitRefunds(store, i);
            }
            assertEquals(5, store.refunds.get(), "each 503 gave its unit back, once");
            for (int i = 1; i <= 2; i++) {
                HttpResponse<String> ok = call(server, "/async");
                assertEquals(200, ok.statusCode());
                assertEquals("done", ok.body());
                assertEquals("\"two-day\";r=" + (2 - i) + ";t=43200", ok.headers().firstValue("RateLimit").orElse(null));
            }
            HttpResponse<String> third = call(server, "/async");
            assertEquals(429, third.statusCode(), "the two successes used the quota; the failures gave theirs back");
            assertEquals(5, store.refunds.get(), "successes give nothing back");
        }
    }

    private static void awaitRefunds(CountingStore store, int expected) {
        Await.until(() -> store.refunds.get() >= expected, Duration.ofSeconds(10), expected + " refunds");
        assertEquals(expected, store.refunds.get(), "each 503 gave its unit back, once");
    }
}
