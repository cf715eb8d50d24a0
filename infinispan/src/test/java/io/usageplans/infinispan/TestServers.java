package io.usageplans.infinispan;

import java.io.IOException;

import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Application servers for the tests: the filter with a given engine in front of a small app at context {@code /test}. */
final class TestServers {

    private TestServers() {
    }

    /** Answers 200 "ok". */
    public static class Ok extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.getWriter().write("ok");
        }
    }

    /** Starts a server whose context {@code /test} meters every request with {@code engine} in front of {@link Ok}. */
    static JettyApp start(UsagePlans engine) throws Exception {
        return start(engine, Ok.class);
    }

    /** Starts a server whose context {@code /test} meters every request with {@code engine} in front of {@code app}. */
    static JettyApp start(UsagePlans engine, Class<? extends Servlet> app) throws Exception {
        return JettyApp.context("/test").filter(new UsagePlanFilter(engine)).servlet(app, "/*").start();
    }
}
