package io.usageplans.cdi;

import java.net.http.HttpResponse;

import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.testsupport.JettyApp;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Real Jetty 12 + Weld + Jersey at context {@code /test}, JAX-RS under {@code /api}, wired as the jars' web
 * fragments wire a WAR (Weld's listener, our start-up listener, our filter): an embedded context reads no fragments.
 */
final class CdiServer implements AutoCloseable {

    private final JettyApp app;

    private CdiServer(JettyApp app) {
        this.app = app;
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
        JettyApp.Builder context = JettyApp.context("/test")
                .listener(new org.jboss.weld.environment.servlet.Listener())
                .listener(new UsagePlansStartup());
        if (withFilter) {
            context.filter(UsagePlanFilter.class);
        }
        ResourceConfig application = new ResourceConfig(resources)
                .register(UsagePlanFeature.class)
                .register(UsagePlanExceptionMapper.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        ServletHolder jersey = new ServletHolder(new ServletContainer(application));
        jersey.setInitOrder(1);
        return new CdiServer(context.servlet(jersey, jaxRsMappings).start());
    }

    String baseUri() {
        return app.url("");
    }

    HttpResponse<String> get(String path, String key) throws Exception {
        return send("GET", path, key);
    }

    HttpResponse<String> send(String method, String path, String key) throws Exception {
        return app.request(method, path).header("x-api-key", key).send();
    }

    @Override
    public void close() {
        app.close();
    }
}
