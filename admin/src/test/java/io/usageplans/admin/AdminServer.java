package io.usageplans.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.usageplans.Throttle;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlanFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A real Jetty 12 with Jersey at context {@code /test}, wired as the admin jar's web fragment and a JAX-RS runtime
 * wire a WAR: the usage-plans filter in front of a small metered app ({@code /pets}), the dashboard at
 * {@code /usage-plans/*} and the admin application at {@code /usage-plans/admin/*}.
 */
final class AdminServer implements AutoCloseable {

    static final String TOKEN = "test-admin-token-0123456789";
    static final String BASIC_KEY = "basic-key-value-0123456789";
    static final String PREMIUM_KEY = "premium-key-value-0123456789";
    static final String DEV_KEY = "dev-key-value-0123456789";

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final Server server;
    private final int port;

    private AdminServer(Server server) {
        this.server = server;
        this.port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /**
     * basic: 1/s, burst 2, 5 a day; premium: 100/s, 100 a day; dev: no quota. The admin's own paths are excluded from
     * metering, as an application that meters every path has to.
     */
    static Catalog catalog() {
        return Catalog.builder().api("shop")
                .plan(Plan.builder("basic").description("small customers").throttle(Throttle.rateLimit(1).burstLimit(2)).quota(Quota.limit(5).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(100).burstLimit(100)).quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(1000)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC_KEY).plans("basic").build())
                .apiKey(ApiKey.builder("premium-customer").value(PREMIUM_KEY).plans("premium").build())
                .apiKey(ApiKey.builder("dev-team").value(DEV_KEY).plans("dev").build())
                .excludePath("/usage-plans/*")
                .build();
    }

    /** The admin on, with the test token. */
    static Map<String, String> adminOn() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(AdminSettings.ENABLED, "true");
        params.put(AdminSettings.TOKEN, TOKEN);
        return params;
    }

    static AdminServer start(UsagePlans engine, Map<String, String> contextParams) throws Exception {
        return start(engine, contextParams, context -> { });
    }

    static AdminServer start(UsagePlans engine, Map<String, String> contextParams, Consumer<ServletContextHandler> customize)
            throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SECURITY);
        context.setContextPath("/test");
        contextParams.forEach(context::setInitParameter);
        context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(PetsServlet.class, "/*");
        ServletHolder dashboard = new ServletHolder("UsagePlansDashboard", DashboardServlet.class);
        dashboard.setInitOrder(1);
        context.addServlet(dashboard, "/usage-plans/*");
        ServletHolder api = new ServletHolder(DashboardServlet.API_SERVLET_NAME,
                new ServletContainer(ResourceConfig.forApplicationClass(UsagePlansAdminApplication.class)));
        api.setInitOrder(1);
        context.addServlet(api, "/usage-plans/admin/*");
        customize.accept(context);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new AdminServer(server);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + "/test" + path;
    }

    /** A metered request of the app, with an API key. */
    HttpResponse<String> pets(String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/pets"))).GET();
        if (apiKey != null) {
            request.header("x-api-key", apiKey);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An admin API call with the test token. */
    HttpResponse<String> admin(String method, String path, String contentType, String body) throws IOException, InterruptedException {
        return call(method, path, contentType, body, "Bearer " + TOKEN);
    }

    HttpResponse<String> admin(String method, String path) throws IOException, InterruptedException {
        return admin(method, path, null, null);
    }

    HttpResponse<String> adminJson(String method, String path, String json) throws IOException, InterruptedException {
        return admin(method, path, "application/json", json);
    }

    /** An admin API call with any Authorization header (null: none). */
    HttpResponse<String> call(String method, String path, String contentType, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/usage-plans/admin/" + path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON body as maps, lists, strings, numbers, booleans and nulls. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> response) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(response.body());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    /** The metered application: {@code GET /pets} answers a small JSON list. */
    public static final class PetsServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("application/json");
            response.getWriter().write("[{\"id\":1,\"type\":\"dog\"}]");
        }
    }
}
