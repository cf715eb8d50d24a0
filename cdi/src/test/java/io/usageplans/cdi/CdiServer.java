package io.usageplans.cdi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;

import io.usageplans.servlet.UsagePlanFilter;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Real Jetty 12 + Weld + Jersey at context {@code /test}, JAX-RS under {@code /api}, wired as the jars' web
 * fragments wire a WAR (Weld's listener, our start-up listener, our filter): an embedded context reads no fragments.
 */
final class CdiServer implements AutoCloseable {

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Server server;
    private final int port;

    private CdiServer(Server server) {
        this.server = server;
        this.port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    static CdiServer start(Class<?>... resources) throws Exception {
        return start(true, new String[] {"/api/*"}, resources);
    }

    /**
     * {@code withFilter}: whether the servlet filter runs in front of JAX-RS; {@code jaxRsMappings}: where the JAX-RS
     * servlet answers (the first is the application path the routes are compiled at; requests under the others reach
     * resources no compiled path covers, so only the JAX-RS feature meters them).
     */
    static CdiServer start(boolean withFilter, String[] jaxRsMappings, Class<?>... resources) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/test");
        context.addEventListener(new org.jboss.weld.environment.servlet.Listener());
        context.addEventListener(new UsagePlansStartup());
        if (withFilter) {
            context.addFilter(new FilterHolder(UsagePlanFilter.class), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        ResourceConfig application = new ResourceConfig(resources)
                .register(UsagePlanFeature.class)
                .register(UsagePlanExceptionMapper.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        ServletHolder jersey = new ServletHolder(new ServletContainer(application));
        jersey.setInitOrder(1);
        context.addServlet(jersey, jaxRsMappings[0]);
        for (int i = 1; i < jaxRsMappings.length; i++) {
            jersey.getRegistration().addMapping(jaxRsMappings[i]);
        }
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new CdiServer(server);
    }

    String baseUri() {
        return "http://127.0.0.1:" + port + "/test";
    }

    HttpResponse<String> get(String path, String key) throws Exception {
        return send("GET", path, key);
    }

    HttpResponse<String> send(String method, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test" + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header("x-api-key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }
}
