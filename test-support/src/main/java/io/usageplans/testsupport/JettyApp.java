package io.usageplans.testsupport;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * An application on a real Jetty 12, on a free port of 127.0.0.1: a servlet context wired as a WAR's descriptors
 * and fragments would wire it (an embedded context reads none), or any prepared context such as a
 * {@code WebAppContext}. Closing it stops the server.
 *
 * <pre>{@code
 * try (JettyApp app = JettyApp.context("/test").filter(new UsagePlanFilter(engine)).servlet(Ok.class, "/*").start()) {
 *     HttpResponse<String> r = app.get("/pets").header("x-api-key", key).send();
 * }
 * }</pre>
 */
public final class JettyApp implements AutoCloseable {

    private final Server server;
    private final ContextHandler context;
    private final int port;

    private JettyApp(Server server, ContextHandler context, int port) {
        this.server = server;
        this.context = context;
        this.port = port;
    }

    /** A servlet context at {@code contextPath} to wire, then {@link Builder#start()}. */
    public static Builder context(String contextPath) {
        return new Builder(contextPath);
    }

    /** Starts {@code context} (e.g. a {@code WebAppContext}) on its own server; a failed start stops the server again. */
    public static JettyApp start(ContextHandler context) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new JettyApp(server, context, connector.getLocalPort());
    }

    public int port() {
        return port;
    }

    /** Whether the context started and serves (a context can start unavailable when its application failed). */
    public boolean available() {
        return context.isAvailable();
    }

    /** {@code http://127.0.0.1:<port><context path><path>}. */
    public String url(String path) {
        String contextPath = context.getContextPath();
        return "http://127.0.0.1:" + port + (contextPath.equals("/") ? "" : contextPath) + path;
    }

    public URI uri(String path) {
        return URI.create(url(path));
    }

    /** A request of {@code method} to {@code path} under the context. */
    public Http.Request request(String method, String path) {
        return Http.request(method, url(path));
    }

    /** A GET of {@code path} under the context. */
    public Http.Request get(String path) {
        return request("GET", path);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    /**
     * The wiring of a servlet context, applied in the order given when it starts. Filters are mapped to {@code /*}
     * for {@code REQUEST} dispatches, as the usage-plans web fragment maps its filter.
     */
    public static final class Builder {

        private final String contextPath;
        private final List<Consumer<ServletContextHandler>> steps = new ArrayList<>();
        private int options;

        private Builder(String contextPath) {
            this.contextPath = contextPath;
        }

        /** {@link ServletContextHandler} options, e.g. {@code SECURITY} for a context that signs users in. */
        public Builder options(int options) {
            this.options = options;
            return this;
        }

        public Builder initParameter(String name, String value) {
            return configure(context -> context.setInitParameter(name, value));
        }

        public Builder initParameters(Map<String, String> parameters) {
            return configure(context -> parameters.forEach(context::setInitParameter));
        }

        /** A listener, as a WAR's {@code <listener>} or a fragment adds one (e.g. Weld's, or a start-up listener). */
        public Builder listener(EventListener listener) {
            return configure(context -> context.addEventListener(listener));
        }

        public Builder initializer(ServletContainerInitializer initializer) {
            return configure(context -> context.addServletContainerInitializer(initializer));
        }

        /** A filter instance in front of every request. */
        public Builder filter(Filter filter) {
            return filter(new FilterHolder(filter));
        }

        /** A filter the container creates (and initialises from its settings), in front of every request. */
        public Builder filter(Class<? extends Filter> type) {
            return filter(new FilterHolder(type));
        }

        /** A filter with a name or init parameters set on its holder, in front of every request. */
        public Builder filter(FilterHolder filter) {
            return configure(context -> context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST)));
        }

        /** A servlet the container creates, at each of {@code mappings}. */
        public Builder servlet(Class<? extends Servlet> type, String... mappings) {
            return servlet(new ServletHolder(type), mappings);
        }

        /** A servlet with a name, an instance or an init order set on its holder, at each of {@code mappings}. */
        public Builder servlet(ServletHolder servlet, String... mappings) {
            if (mappings.length == 0) {
                throw new IllegalArgumentException("a servlet needs at least one mapping");
            }
            return configure(context -> {
                context.addServlet(servlet, mappings[0]);
                for (int i = 1; i < mappings.length; i++) {
                    servlet.getRegistration().addMapping(mappings[i]);
                }
            });
        }

        /** Anything else, on the context itself (security handlers, base resources, more servlets). */
        public Builder configure(Consumer<ServletContextHandler> step) {
            steps.add(step);
            return this;
        }

        public JettyApp start() throws Exception {
            ServletContextHandler context = new ServletContextHandler(contextPath, options);
            steps.forEach(step -> step.accept(context));
            return JettyApp.start(context);
        }
    }
}
