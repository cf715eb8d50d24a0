package io.usageplans.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Consumer;

import io.usageplans.UsagePlans;
import io.usageplans.testsupport.Http;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;

/** A real Jetty 12 on a free loopback port with the filter in front of a small app at context {@code /test}. */
final class TestServer implements AutoCloseable {

    private final JettyApp app;

    private TestServer(JettyApp app) {
        this.app = app;
    }

    /** The filter with an engine built in code. */
    static TestServer withEngine(UsagePlans engine) throws Exception {
        return new TestServer(JettyApp.context("/test").filter(new UsagePlanFilter(engine)).servlet(AppServlet.class, "/*").start());
    }

    /** The filter as web.xml or web-fragment.xml creates it: built from its settings at init. */
    static TestServer withInitParams(Map<String, String> initParams) throws Exception {
        FilterHolder holder = new FilterHolder(UsagePlanFilter.class);
        holder.setName("UsagePlans");
        holder.setInitParameters(initParams);
        return new TestServer(JettyApp.context("/test").filter(holder).servlet(AppServlet.class, "/*").start());
    }

    /** {@code filters} wire the context (filters, more servlets); {@link AppServlet} answers everything else. */
    static TestServer start(Consumer<ServletContextHandler> filters) throws Exception {
        return new TestServer(JettyApp.context("/test").configure(filters).servlet(AppServlet.class, "/*").start());
    }

    HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
        return send("GET", path, apiKey);
    }

    HttpResponse<String> send(String method, String path, String apiKey) throws IOException, InterruptedException {
        return Http.send(request(method, path, apiKey));
    }

    /** With {@code POST}, a small JSON body. */
    HttpRequest request(String method, String path, String apiKey) {
        Http.Request request = app.request(method, path).header("x-api-key", apiKey);
        if (method.equals("POST")) {
            request.body(HttpRequest.BodyPublishers.ofString("{\"type\":\"dog\",\"price\":1}"));
        }
        return request.build();
    }

    URI uri(String path) {
        return app.uri(path);
    }

    /** Sends raw bytes (for header values an HTTP client would refuse) and returns the status line and the rest. */
    String raw(byte[] request) throws IOException {
        return Http.raw(app.port(), request);
    }

    @Override
    public void close() {
        app.close();
    }

    /** The application behind the filter: answers 200 with a small JSON body for any path and method. */
    public static final class AppServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.setContentType("application/json");
            response.getWriter().write("{\"app\":\"" + request.getMethod() + " " + request.getPathInfo() + "\"}");
        }
    }
}
