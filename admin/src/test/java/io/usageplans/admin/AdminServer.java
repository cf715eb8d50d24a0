package io.usageplans.admin;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
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

    private final JettyApp app;

    private AdminServer(JettyApp app) {
        this.app = app;
    }

    /**
     * basic: 1/s, burst 2, 5 a day; premium: 100/s, 100 a day; dev: no quota. The admin's own paths are excluded from
     * metering, as an application that meters every path has to.
     */
    static Catalog catalog() {
        return catalog(0);
    }

    /** {@link #catalog()} with {@code extraKeys} more keys on premium, {@code customer-00000}... with {@link #extraValue}. */
    static Catalog catalog(int extraKeys) {
        Catalog.Builder catalog = Catalog.builder().api("shop")
                .plan(Plan.builder("basic").description("small customers").throttle(Throttle.rateLimit(1).burstLimit(2)).quota(Quota.limit(5).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(100).burstLimit(100)).quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(1000)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC_KEY).plans("basic").build())
                .apiKey(ApiKey.builder("premium-customer").value(PREMIUM_KEY).plans("premium").build())
                .apiKey(ApiKey.builder("dev-team").value(DEV_KEY).plans("dev").build())
                .excludePath("/usage-plans/*");
        for (int i = 0; i < extraKeys; i++) {
            catalog.apiKey(ApiKey.builder(String.format("customer-%05d", i)).value(extraValue(i)).plans("premium").build());
        }
        return catalog.build();
    }

    static String extraValue(int i) {
        return String.format("customer-key-value-%05d-0123456789", i);
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
        ServletHolder dashboard = new ServletHolder("UsagePlansDashboard", DashboardServlet.class);
        dashboard.setInitOrder(1);
        ServletHolder api = new ServletHolder(DashboardServlet.API_SERVLET_NAME,
                new ServletContainer(ResourceConfig.forApplicationClass(UsagePlansAdminApplication.class)));
        api.setInitOrder(1);
        return new AdminServer(JettyApp.context("/test").options(ServletContextHandler.SECURITY)
                .initParameters(contextParams)
                .filter(new UsagePlanFilter(engine))
                .servlet(PetsServlet.class, "/*")
                .servlet(dashboard, "/usage-plans/*")
                .servlet(api, "/usage-plans/admin/*")
                .configure(customize)
                .start());
    }

    String url(String path) {
        return app.url(path);
    }

    /** A metered request of the app, with an API key. */
    HttpResponse<String> pets(String apiKey) throws IOException, InterruptedException {
        return app.get("/pets").header("x-api-key", apiKey).send();
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
        return app.request(method, "/usage-plans/admin/" + path).body(contentType, body).header("Authorization", authorization)
                .send();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return app.get(path).send();
    }

    /** A JSON body as maps, lists, strings, numbers, booleans and nulls. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> response) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(response.body());
    }

    @Override
    public void close() {
        app.close();
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
