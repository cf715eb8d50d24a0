package io.usageplans.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;

import io.usageplans.UsagePlans;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 on a free loopback port with the filter in front of a small app at context {@code /test}. */
final class TestServer implements AutoCloseable {

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Server server;
    private final int port;

    private TestServer(Server server) {
        this.server = server;
        this.port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The filter with an engine built in code. */
    static TestServer withEngine(UsagePlans engine) throws Exception {
        return start(context -> context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*",
                EnumSet.of(DispatcherType.REQUEST)));
    }

    /** The filter as web.xml or web-fragment.xml creates it: built from its settings at init. */
    static TestServer withInitParams(Map<String, String> initParams) throws Exception {
        return start(context -> {
            FilterHolder holder = new FilterHolder(UsagePlanFilter.class);
            holder.setName("UsagePlans");
            holder.setInitParameters(initParams);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        });
    }

    static TestServer start(Consumer<ServletContextHandler> filters) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/test");
        filters.accept(context);
        context.addServlet(AppServlet.class, "/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new TestServer(server);
    }

    HttpResponse<String> get(String path, String apiKey) throws IOException, InterruptedException {
        return send("GET", path, apiKey);
    }

    HttpResponse<String> send(String method, String path, String apiKey) throws IOException, InterruptedException {
        return CLIENT.send(request(method, path, apiKey), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest request(String method, String path, String apiKey) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).method(method,
                method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"type\":\"dog\",\"price\":1}")
                        : HttpRequest.BodyPublishers.noBody());
        if (apiKey != null) {
            builder.header("x-api-key", apiKey);
        }
        return builder.build();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + "/test" + path);
    }

    /** Sends raw bytes (for header values an HTTP client would refuse) and returns the status line and the rest. */
    String raw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
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
