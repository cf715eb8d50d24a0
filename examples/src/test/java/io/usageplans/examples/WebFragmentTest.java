package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.testing.OneUtcDay;
import io.usageplans.testsupport.JettyApp;
import org.eclipse.jetty.ee11.webapp.WebAppContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WAR with the servlet jar in WEB-INF/lib, a plan file in WEB-INF/classes and no filter in its web.xml:
 * the filter comes from the jar's web-fragment.xml, and the application can leave it out with absolute-ordering.
 */
class WebFragmentTest {

    private static final String PLANS = """
            api: WarAPI
            plans:
              - name: small
                quota: { limit: 2, period: DAY }
                apiStages: [ { stage: shop } ]
            apiKeys:
              - name: war-key
                value: war-test-key-0123456789
                plans: [small]
            """;

    @TempDir
    Path war;

    @Test
    void addingTheJarToAWarInstallsTheFilter() throws Exception {
        writeWar("");
        OneUtcDay.run(() -> { // a quota of 2 a day: each attempt deploys the WAR afresh, with a fresh store
            try (Running running = deploy()) {
                assertEquals(403, running.get(null).statusCode(), "no key");
                HttpResponse<String> first = running.get("war-test-key-0123456789");
                assertEquals(200, first.statusCode());
                assertEquals("\"small-day\";q=2;w=86400", first.headers().firstValue("RateLimit-Policy").orElseThrow(),
                        "stage 'shop' from the context path /shop, plan file from WEB-INF/classes");
                assertEquals(200, running.get("war-test-key-0123456789").statusCode());
                HttpResponse<String> third = running.get("war-test-key-0123456789");
                assertEquals(429, third.statusCode());
                assertEquals("{\"message\":\"Limit Exceeded\"}", third.body());
            }
        }, () -> { });
    }

    @Test
    void anAbsoluteOrderingWithoutTheFragmentDisablesTheFilter() throws Exception {
        writeWar("<absolute-ordering/>");
        try (Running running = deploy()) {
            HttpResponse<String> r = running.get(null);
            assertEquals(200, r.statusCode());
            assertFalse(r.headers().firstValue("RateLimit").isPresent());
        }
    }

    private void writeWar(String ordering) throws IOException {
        Path webInf = Files.createDirectories(war.resolve("WEB-INF"));
        Files.writeString(webInf.resolve("web.xml"), """
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.1">
                  %s
                  <servlet><servlet-name>pets</servlet-name><servlet-class>io.usageplans.examples.ShopServlet</servlet-class></servlet>
                  <servlet-mapping><servlet-name>pets</servlet-name><url-pattern>/pets/*</url-pattern></servlet-mapping>
                </web-app>
                """.formatted(ordering));
        Files.createDirectories(webInf.resolve("classes"));
        Files.writeString(webInf.resolve("classes/usage-plans.yaml"), PLANS);
        Path lib = Files.createDirectories(webInf.resolve("lib"));
        copyServletJar(lib.resolve("usage-plans-servlet.jar"));
    }

    /** The servlet module as a jar: the built jar itself, or its classes zipped when the build only compiled them. */
    private static void copyServletJar(Path target) throws IOException {
        Path source;
        try {
            source = Path.of(UsagePlanFilter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isRegularFile(source)) {
            Files.copy(source, target);
            return;
        }
        try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                jar.putNextEntry(new JarEntry(source.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
    }

    private Running deploy() throws Exception {
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/shop");
        webapp.setWar(war.toString());
        webapp.setThrowUnavailableOnStartupException(true);
        JettyApp app = JettyApp.start(webapp);
        assertTrue(webapp.isAvailable());
        return new Running(app);
    }

    private record Running(JettyApp app) implements AutoCloseable {
        HttpResponse<String> get(String key) throws Exception {
            return app.get("/pets").header("x-api-key", key).send();
        }

        @Override
        public void close() {
            app.close();
        }
    }
}
