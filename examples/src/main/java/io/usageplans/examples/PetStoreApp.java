package io.usageplans.examples;

import java.util.EnumSet;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.usageplans.config.Setting;
import io.usageplans.admin.AdminPathsInitializer;
import io.usageplans.admin.AdminSettings;
import io.usageplans.admin.DashboardServlet;
import io.usageplans.admin.UsagePlansAdminApplication;
import io.usageplans.cdi.UsagePlansStartup;
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
 * The AWS usage-plan tutorial as a runnable app: API MyProjectAPI, stage {@code test}, at
 * {@code http://localhost:8080/test/pets}, on embedded Jetty 12 with Weld (CDI) and Jersey (JAX-RS). The plan
 * file is found as in any WAR (system property or environment variable {@code usageplans.config} /
 * {@code USAGEPLANS_CONFIG}, else {@code usage-plans.yaml} in this jar).
 *
 * The dashboard is at {@code /test/usage-plans/} and the admin API at {@code /test/usage-plans/admin/}, with the
 * token {@value #DEMO_ADMIN_TOKEN} unless {@code usageplans.admin.token} is set.
 *
 * <pre>java -jar examples/target/usage-plans-example.jar [--port 8080] [--store hazelcast|infinispan] [--cluster NAME]
 *     [--store redis --redis-uri redis://127.0.0.1:6379] [--cluster-mode lease|exact]</pre>
 */
public final class PetStoreApp {

    /** The admin API's token in this example (README); set usageplans.admin.token to use another. */
    public static final String DEMO_ADMIN_TOKEN = "demo-admin-token-0123456789";

    private static final Logger JERSEY_CDI_LOG = Logger.getLogger("org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider");

    private final Server server;

    private PetStoreApp(Server server) {
        this.server = server;
    }

    /** Starts the app on {@code port} (0 picks a free one). */
    public static PetStoreApp start(int port) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(System.getProperty("usageplans.example.host", "0.0.0.0"));
        connector.setPort(port);
        server.addConnector(connector);

        // An embedded context reads no web-fragment.xml, so what the jars' fragments register in a WAR is added here:
        // Weld's listener, the engine's start-up listener, the filter, and the admin's dashboard and API.
        ServletContextHandler context = new ServletContextHandler("/test");
        context.addEventListener(new org.jboss.weld.environment.servlet.Listener());
        context.addEventListener(new UsagePlansStartup());
        FilterHolder filter = new FilterHolder(UsagePlanFilter.class);
        filter.setName("UsagePlans");
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        // The admin API and the dashboard (usage-plans-admin), on with the demo token unless one is set outside
        if (Setting.find(AdminSettings.ENABLED, null).isEmpty()) {
            context.setInitParameter(AdminSettings.ENABLED, "true");
        }
        if (usesDemoToken()) {
            context.setInitParameter(AdminSettings.TOKEN, DEMO_ADMIN_TOKEN);
        }
        context.addServletContainerInitializer(new AdminPathsInitializer()); // never meter the admin's own paths
        ServletHolder dashboard = new ServletHolder("UsagePlansDashboard", DashboardServlet.class);
        dashboard.setInitOrder(1);
        context.addServlet(dashboard, "/usage-plans/*");
        ServletHolder admin = new ServletHolder(DashboardServlet.API_SERVLET_NAME,
                new ServletContainer(ResourceConfig.forApplicationClass(UsagePlansAdminApplication.class)));
        admin.setInitOrder(2);
        context.addServlet(admin, "/usage-plans/admin/*");
        ResourceConfig application = ResourceConfig.forApplicationClass(PetStoreApplication.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        ServletHolder jersey = new ServletHolder("jax-rs", new ServletContainer(application));
        jersey.setInitOrder(1);
        context.addServlet(jersey, "/*");
        server.setHandler(context);
        server.setStopAtShutdown(true);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        if (!context.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the application did not start; see the log above");
        }
        return new PetStoreApp(server);
    }

    /** No admin token is set by a system property or environment variable. */
    private static boolean usesDemoToken() {
        return Setting.find(AdminSettings.TOKEN, null).isEmpty() && Setting.find(AdminSettings.TOKEN_SHA256, null).isEmpty();
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public void stop() throws Exception {
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s - %5$s%6$s%n");
        }
        // Jersey's CDI integration logs "Leaking injection manager" (SEVERE) when a second application (the admin)
        // starts in the same WAR, though jersey-cdi1x-servlet then serves both correctly; the demo hides that line
        JERSEY_CDI_LOG.setLevel(Level.OFF);
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> {
                    if (i + 1 >= args.length) {
                        usage("--port needs a number");
                    }
                    try {
                        port = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        usage("--port needs a number between 0 and 65535, was '" + args[i] + "'");
                    }
                    if (port < 0 || port > 65535) {
                        usage("--port needs a number between 0 and 65535, was " + port);
                    }
                }
                case "--store" -> {
                    if (i + 1 >= args.length || !(args[i + 1].equals("local") || args[i + 1].equals("hazelcast")
                            || args[i + 1].equals("infinispan") || args[i + 1].equals("redis"))) {
                        usage("--store needs local, hazelcast, infinispan or redis");
                    }
                    System.setProperty("usageplans.store", args[++i]);
                }
                case "--cluster" -> {
                    if (i + 1 >= args.length || args[i + 1].isBlank()) {
                        usage("--cluster needs a cluster name");
                    }
                    System.setProperty("usageplans.hazelcast.cluster-name", args[++i]);
                    System.setProperty("usageplans.infinispan.cluster-name", args[i]);
                }
                case "--redis-uri" -> {
                    if (i + 1 >= args.length || args[i + 1].isBlank()) {
                        usage("--redis-uri needs a URI like redis://127.0.0.1:6379");
                    }
                    System.setProperty("usageplans.redis.uri", args[++i]);
                }
                case "--cluster-mode" -> {
                    if (i + 1 >= args.length || !(args[i + 1].equals("lease") || args[i + 1].equals("exact"))) {
                        usage("--cluster-mode needs lease or exact");
                    }
                    System.setProperty("usageplans.cluster.mode", args[++i]);
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        PetStoreApp app;
        try {
            app = start(port);
        } catch (Exception e) {
            System.err.println("usage-plans example: could not start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        String store = System.getProperty("usageplans.store", "local");
        System.out.println("usage-plans example: MyProjectAPI stage test, " + store + " store"
                + (store.equals("local") ? "" : " (cluster mode " + System.getProperty("usageplans.cluster.mode", "lease") + ")")
                + ", at http://localhost:" + app.port()
                + "/test/pets  (try: curl -i -H 'x-api-key: demo-basic-key-0123456789' http://localhost:" + app.port() + "/test/pets)");
        System.out.println("usage-plans example: dashboard at http://localhost:" + app.port() + "/test/usage-plans/, admin API "
                + "under /test/usage-plans/admin/" + (usesDemoToken() ? " (token " + DEMO_ADMIN_TOKEN + ")" : ""));
        app.server.join();
    }

    private static final String USAGE = """
            usage: java -jar usage-plans-example.jar [--port N] [--store local|hazelcast|infinispan|redis]
                                                     [--cluster NAME] [--redis-uri URI] [--cluster-mode lease|exact]
              --port N           listen on port N (default 8080; 0 picks a free port)
              --store hazelcast  keep throttle and quota state in a Hazelcast cluster: an embedded member joins
                                 others over TCP-IP on 127.0.0.1 (ports 5701 and up); default: local (this JVM)
              --store infinispan the same in an Infinispan cluster: an embedded node joins others over JGroups TCP
                                 on 127.0.0.1 (ports 7800 and up, a static member list, no multicast)
              --cluster NAME     the cluster's name (default usage-plans)
              --store redis      keep throttle and quota state in Redis 6+ at --redis-uri
              --redis-uri URI    redis://[user:password@]host[:port][/database], rediss:// for TLS
                                 (default redis://127.0.0.1:6379)
              --cluster-mode M   lease (default): busy keys are decided from allowances held in memory and settled
                                 every 100 ms, never over a limit; exact: one cluster operation per request
            The plan file: -Dusageplans.config=<file or classpath:...> or USAGEPLANS_CONFIG, else the tutorial's.""";

    private static void usage(String problem) {
        System.err.println("usage-plans example: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
