package io.usageplans.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.testsupport.Http;
import io.usageplans.testsupport.JettyApp;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application whose plan file meters every path, with the filter building its engine from that file as in a WAR:
 * the admin's initializer keeps the dashboard and the API out of metering, without a word in the plan file.
 */
class AdminPathsExclusionTest {

    @Test
    void anApplicationThatMetersEveryPathStillLetsTheOperatorIn(@TempDir Path dir) throws Exception {
        Path planFile = dir.resolve("usage-plans.yaml");
        Files.writeString(planFile, """
                plans:
                  - name: basic
                    throttle: { rateLimit: 10, burstLimit: 20 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: basic-customer
                    value: basic-key-value-0123456789
                    plans: [basic]
                """);
        FilterHolder filter = new FilterHolder(UsagePlanFilter.class);
        filter.setInitParameter("usageplans.config", planFile.toString());
        try (JettyApp app = JettyApp.context("/test")
                .initParameter(AdminSettings.ENABLED, "true")
                .initParameter(AdminSettings.TOKEN, AdminServer.TOKEN)
                .initializer(new AdminPathsInitializer())
                .filter(filter)
                .servlet(AdminServer.PetsServlet.class, "/*")
                .servlet(new ServletHolder("UsagePlansDashboard", DashboardServlet.class), "/usage-plans/*")
                .servlet(new ServletHolder(DashboardServlet.API_SERVLET_NAME,
                        new ServletContainer(ResourceConfig.forApplicationClass(UsagePlansAdminApplication.class))), "/usage-plans/admin/*")
                .start()) {
            HttpClient client = Http.CLIENT;
            String base = app.url("");
            assertEquals(403, client.send(HttpRequest.newBuilder(URI.create(base + "/pets")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the application is metered");
            HttpResponse<String> status = client.send(HttpRequest.newBuilder(URI.create(base + "/usage-plans/admin/status"))
                    .header("Authorization", "Bearer " + AdminServer.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, status.statusCode(), status.body());
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + "/usage-plans/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the dashboard");
        }
    }
}
