package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.BASIC;
import static io.usageplans.servlet.TutorialScenarioTest.PREMIUM;
import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usageplans.testing.MutableClock;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.function.Consumer;

import io.usageplans.UsagePlans;
import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.Unmetered;
import io.usageplans.annotation.UsagePlan;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;

/** Annotations on plain servlets, honoured by the filter with no registration beyond the servlets' own mappings. */
class ServletAnnotationsTest {

    /** Any plan may read; only premium may write, and writes are throttled to a burst of 2. */
    @UsagePlan
    public static class ReportsServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("report");
        }

        @Override
        @UsagePlan("premium")
        @MethodThrottle(rate = 1, burst = 2)
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(201);
        }

        @Override
        @Unmetered
        protected void doOptions(HttpServletRequest request, HttpServletResponse response) {
            response.setHeader("Allow", "GET, POST, OPTIONS");
        }
    }

    /** Not annotated: with annotated routes present, it is not metered. */
    public static class OpenServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("open");
        }
    }

    /** Refuses the call itself, as a metered bean deeper in the application would: the filter answers for it. */
    public static class RefusingServlet extends HttpServlet {
        static UsagePlans engine;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw io.usageplans.UsagePlanRejectedException.of(engine.decide("not-a-known-key-0123456789", "GET", "/refuse"));
        }
    }

    public static class UnknownPlanServlet extends HttpServlet {
        @Override
        @UsagePlan("gold")
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        }
    }

    public static class NegativeRateServlet extends HttpServlet {
        @Override
        @MethodThrottle(rate = -1, burst = 3)
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        }
    }

    public static class StrayOptOutServlet extends HttpServlet {
        @Override
        @Unmetered
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        }
    }

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private TestServer start(UsagePlans engine, Consumer<ServletContextHandler> servlets) throws Exception {
        return TestServer.start(context -> {
            context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
            servlets.accept(context);
        });
    }

    @Test
    void annotatedServletMethodsAreMeteredAtTheServletsMappings() throws Exception {
        try (UsagePlans engine = UsagePlans.builder(TutorialScenarioTest.tutorial()).stage("test").clock(clock).build();
             TestServer server = start(engine, c -> {
                 c.addServlet(ReportsServlet.class, "/reports/*");
                 c.addServlet(OpenServlet.class, "/open");
             })) {
            HttpResponse<String> read = server.get("/reports/2027", BASIC);
            assertEquals(200, read.statusCode());
            assertEquals("report", read.body());
            assertEquals("\"basic-burst\";r=19;t=1, \"basic-day\";r=9;t=43200", header(read, "RateLimit"));
            assertEquals(200, server.get("/reports", BASIC).statusCode(), "/reports/* covers /reports too");
            assertEquals(403, server.get("/reports", null).statusCode());

            HttpResponse<String> basicWrite = server.send("POST", "/reports", BASIC);
            assertEquals(403, basicWrite.statusCode(), "POST is premium only");
            assertEquals("{\"message\":\"Forbidden\"}", basicWrite.body());

            HttpResponse<String> premiumWrite = server.send("POST", "/reports", PREMIUM);
            assertEquals(201, premiumWrite.statusCode());
            assertEquals("\"premium-/reports/POST\";q=2;w=2, \"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400",
                    header(premiumWrite, "RateLimit-Policy"));
            assertEquals(201, server.send("POST", "/reports/x", PREMIUM).statusCode());
            HttpResponse<String> third = server.send("POST", "/reports", PREMIUM);
            assertEquals(429, third.statusCode(), "burst of 2 on doPost, shared by all its paths");
            assertEquals("{\"message\":\"Too Many Requests\"}", third.body());

            HttpResponse<String> options = server.send("OPTIONS", "/reports", null);
            assertEquals(200, options.statusCode(), "@Unmetered needs no key");
            assertFalse(options.headers().firstValue("RateLimit").isPresent());
            HttpResponse<String> open = server.get("/open", null);
            assertEquals(200, open.statusCode(), "not annotated: not metered once annotations decide");
            assertEquals("open", open.body());
        }
    }

    @Test
    void aRejectionThrownByTheApplicationBecomesTheGatewaysResponse() throws Exception {
        try (UsagePlans engine = UsagePlans.builder(TutorialScenarioTest.tutorial()).stage("test").clock(clock).build();
             TestServer server = start(engine, c -> c.addServlet(RefusingServlet.class, "/refuse"))) {
            RefusingServlet.engine = engine;
            HttpResponse<String> r = server.get("/refuse", PREMIUM);
            assertEquals(403, r.statusCode());
            assertEquals("{\"message\":\"Forbidden\"}", r.body());
            assertEquals("application/json", header(r, "Content-Type"));
        }
    }

    @Test
    void anAnnotationNamingAnUnknownPlanFailsStartUpNamingClassMethodAndValue() {
        Exception e = assertThrows(Exception.class, () -> startWith(UnknownPlanServlet.class));
        assertTrue(FilterConfigurationTest.messages(e).contains("usage-plans: " + UnknownPlanServlet.class.getName()
                + "#doGet: @UsagePlan: unknown plan 'gold'; the plan file defines [basic, dev, premium]"), FilterConfigurationTest.messages(e));
    }

    @Test
    void aNegativeRateFailsStartUpNamingClassMethodAndValue() {
        Exception e = assertThrows(Exception.class, () -> startWith(NegativeRateServlet.class));
        assertTrue(FilterConfigurationTest.messages(e).contains("usage-plans: " + NegativeRateServlet.class.getName()
                + "#doGet: @MethodThrottle.rate: rate must be a number of requests per second greater than 0, was -1"),
                FilterConfigurationTest.messages(e));
    }

    @Test
    void anOptOutOnAMethodOfAnUnannotatedClassFailsStartUp() {
        Exception e = assertThrows(Exception.class, () -> startWith(StrayOptOutServlet.class));
        assertTrue(FilterConfigurationTest.messages(e).contains("usage-plans: " + StrayOptOutServlet.class.getName()
                + "#doGet: @Unmetered: @Unmetered opts a method out of its class's @UsagePlan, but "), FilterConfigurationTest.messages(e));
    }

    private void startWith(Class<? extends HttpServlet> servlet) throws Exception {
        try (UsagePlans engine = UsagePlans.builder(TutorialScenarioTest.tutorial()).stage("test").clock(clock).build();
             TestServer server = start(engine, c -> c.addServlet(servlet, "/bad"))) {
            server.get("/bad", null);
        }
    }
}
