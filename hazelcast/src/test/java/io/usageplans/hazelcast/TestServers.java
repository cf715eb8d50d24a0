package io.usageplans.hazelcast;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlanFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An application server for the tests: real Jetty on a free loopback port, the filter in front of a servlet answering 200 "ok". */
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

    /** Starts a server whose context {@code /test} meters every request with {@code engine}. */
    static Server start(UsagePlans engine) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/test");
        context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(Ok.class, "/*");
        server.setHandler(context);
        server.start();
        return server;
    }

    static HttpResponse<String> get(HttpClient client, Server server, String path, String key)
            throws IOException, InterruptedException {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test" + path))
                .header("x-api-key", key).build(), HttpResponse.BodyHandlers.ofString());
    }
}
