package io.usageplans.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

/** The helpers over a real Jetty and real HTTP: what the modules' tests rely on. */
class JettyAppTest {

    /** Echoes the method, path, x-api-key header and body. */
    public static class Echo extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setHeader("X-Context", request.getServletContext().getInitParameter("who"));
            response.getWriter().write(request.getMethod() + " " + request.getPathInfo() + " key=" + request.getHeader("x-api-key")
                    + " type=" + request.getContentType() + " body=" + new String(request.getInputStream().readAllBytes()));
        }
    }

    /** Answers 403 for every request, before the servlet. */
    public static class Refuse implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException {
            ((HttpServletResponse) response).sendError(403);
        }
    }

    /** Fails its init, as a filter with a bad setting does. */
    public static class Broken implements Filter {
        @Override
        public void init(FilterConfig config) throws ServletException {
            throw new ServletException("broken on purpose");
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
        }
    }

    @Test
    void requestsReachTheServletUnderTheContextPathWithTheHeadersAndBodyGiven() throws Exception {
        try (JettyApp app = JettyApp.context("/test").initParameter("who", "tests").servlet(Echo.class, "/*").start()) {
            assertEquals("http://127.0.0.1:" + app.port() + "/test/pets", app.url("/pets"));
            HttpResponse<String> get = app.get("/pets").header("x-api-key", "k-1").send();
            assertEquals(200, get.statusCode());
            assertEquals("GET /pets key=k-1 type=null body=", get.body());
            assertEquals("tests", get.headers().firstValue("X-Context").orElseThrow());

            HttpResponse<String> post = app.request("POST", "/pets").header("x-api-key", null).body("application/json", "{}").send();
            assertEquals("POST /pets key=null type=application/json body={}", post.body(), "a null header value sends no header");
        }
    }

    @Test
    void filtersRunInFrontOfEveryRequest() throws Exception {
        try (JettyApp app = JettyApp.context("/test").filter(new Refuse()).servlet(Echo.class, "/*").start()) {
            assertEquals(403, app.get("/anything").send().statusCode());
        }
    }

    @Test
    void aFilterThatFailsItsInitFailsTheStartAndLeavesNoServerBehind() {
        Exception e = assertThrows(Exception.class, () -> JettyApp.context("/test").filter(Broken.class).servlet(Echo.class, "/*").start());
        assertTrue(String.valueOf(e.getMessage()).contains("broken on purpose")
                || String.valueOf(e.getCause()).contains("broken on purpose"), String.valueOf(e));
    }

    @Test
    void aClosedAppNoLongerAnswers() throws Exception {
        JettyApp app = JettyApp.context("/").servlet(Echo.class, "/*").start();
        assertEquals("http://127.0.0.1:" + app.port() + "/x", app.url("/x"), "the root context adds no path");
        assertEquals(200, app.get("/x").send().statusCode());
        app.close();
        assertThrows(ConnectException.class, () -> app.get("/x").send());
    }

    @Test
    void rawSendsBytesAClientWouldRefuseAndReturnsTheWholeAnswer() throws Exception {
        try (JettyApp app = JettyApp.context("/test").servlet(Echo.class, "/*").start()) {
            String answer = Http.raw(app.port(), "GET /test/raw HTTP/1.1\r\nHost: localhost\r\nx-api-key: a\u0001b\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        }
    }

    @Test
    void awaitReturnsTheFirstAcceptedValueAndOtherwiseFailsNamingWhatItWaitedFor() {
        int[] calls = {0};
        assertEquals(3, Await.until(() -> ++calls[0], n -> n == 3, java.time.Duration.ofSeconds(5), "the third call"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.until(() -> false, java.time.Duration.ofMillis(50), "something that never happens"));
        assertTrue(e.getMessage().startsWith("timed out after 50 ms waiting for something that never happens"), e.getMessage());
    }

    @Test
    void freePortsAreDistinct() {
        int[] ports = FreePorts.loopback(3);
        assertTrue(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    }
}
