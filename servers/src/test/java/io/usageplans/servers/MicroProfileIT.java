package io.usageplans.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.usageplans.testsupport.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The example WAR, unchanged, on WildFly 39 with its MicroProfile subsystems ({@code standalone-microprofile.xml}):
 * the readiness check {@code usage-plans} in {@code /health/ready} (WildFly serves it on the management port), the
 * OpenAPI document at {@code /openapi} through the filter the example enables in its
 * {@code microprofile-config.properties}, checked by a real validator ({@code @apidevtools/swagger-parser}, installed
 * with npm into {@code target/openapi-validator}), and a second WAR whose settings come only from its
 * {@code microprofile-config.properties}: a Hazelcast client store pointed at a cluster that is not running, failing
 * closed, so that readiness is DOWN until it is undeployed. Selected with {@code -Dservers=wildfly-microprofile} (or
 * {@code all}); one WildFly start, about 2 minutes on 2 cores (115 s measured on a busy machine).
 */
@EnabledIf("selected")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MicroProfileIT {

    /** The value of {@code -Dservers} that runs this test. */
    static final String ID = "wildfly-microprofile";
    /** WildFly's range, clear of ServerMatrixIT's (+0) and NewcomerIT's (+50): HTTP here, management HTTP at +2. */
    static final int PORT = ServerKind.WILDFLY.port + 70;
    static final int MANAGEMENT_PORT = PORT + 2;
    static final String CONTEXT = "test";
    /** The WAR whose store is a Hazelcast client of a cluster that does not run. */
    static final String DOWN_CONTEXT = "mp-down";
    /** The validator's npm package. */
    static final String VALIDATOR = "@apidevtools/swagger-parser@12.1.0";

    private static RunningServer running;

    static boolean selected() {
        return Harness.selection().contains(ID);
    }

    @BeforeAll
    static void start() throws Exception {
        try {
            running = RunningServer.start(ServerKind.WILDFLY, ID, PORT, Map.of(CONTEXT, Harness.war(Harness.EE_WAR)), "",
                    Map.of("WILDFLY_CONFIG", "standalone-microprofile.xml"));
            assertEquals("deployed", running.apps.get(CONTEXT), "the example WAR did not deploy; see " + running.logs);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    private static HttpResponse<String> ready() throws Exception {
        return Http.get("http://127.0.0.1:" + MANAGEMENT_PORT + "/health/ready", null);
    }

    /** The {@code usage-plans} checks of a health response, each as its JSON object. */
    private static List<String> usagePlansChecks(String body) {
        List<String> checks = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"name\":\"usage-plans\",\"status\":\"[A-Z]+\",\"data\":\\{[^}]*}}").matcher(body);
        while (m.find()) {
            checks.add(m.group());
        }
        return checks;
    }

    @Test
    @Order(1)
    void readinessIsUpWithTheUsagePlansCheckAndItsData() throws Exception {
        HttpResponse<String> r = ready();
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"status\":\"UP\""), r.body());
        assertEquals(List.of("{\"name\":\"usage-plans\",\"status\":\"UP\",\"data\":{\"store\":\"local\",\"clusterMembers\":1,"
                + "\"plans\":\"basic,dev,premium\",\"keys\":4,\"metering\":\"on\"}}"), usagePlansChecks(r.body()), r.body());
        assertTrue(!r.body().contains("\"name\":\"usage-plans-live"), "no liveness check of ours");
    }

    @Test
    @Order(2)
    void openApiDocumentIsValidAndDocumentsKeysAndLimitsOnMeteredOperationsOnly() throws Exception {
        HttpResponse<String> r = Http.get(running.url + "/openapi?format=JSON", null);
        assertEquals(200, r.statusCode(), r.body());
        Path document = Harness.WORK.resolve("openapi").resolve("wildfly-openapi.json");
        Files.createDirectories(document.getParent());
        Files.writeString(document, r.body(), StandardCharsets.UTF_8);

        List<String> lines = validate(document);
        assertTrue(lines.contains("valid OpenAPI 3.1.0"), String.join("\n", lines));
        assertTrue(lines.contains("GET /test/pets/{petId} security=apiKey responses=200,403,429 x-usage-plans=basic,dev,premium"),
                String.join("\n", lines));
        assertTrue(lines.contains("GET /test/pets/export security=apiKey responses=200,403,429 x-usage-plans=premium"),
                String.join("\n", lines));
        assertTrue(lines.contains("GET /test/health security= responses=200 x-usage-plans="), String.join("\n", lines));
        assertTrue(lines.contains("scheme apiKey type=apiKey in=header name=x-api-key"), String.join("\n", lines));
        // the 429 with its body and headers, as served
        assertTrue(r.body().contains("\"message\" : \"Limit Exceeded\"") || r.body().contains("\"message\":\"Limit Exceeded\""),
                r.body());
        assertTrue(r.body().contains("\"Retry-After\""), r.body());
    }

    /** Installs the validator once (npm, into target/) and runs scripts/openapi-check.js on {@code document}. */
    private static List<String> validate(Path document) throws IOException, InterruptedException {
        Path modules = Harness.WORK.resolve("openapi-validator");
        if (!Files.isDirectory(modules.resolve("node_modules/@apidevtools/swagger-parser"))) {
            Files.createDirectories(modules);
            run(List.of("npm", "install", "--prefix", modules.toString(), "--no-audit", "--no-fund", "--no-save", VALIDATOR),
                    Map.of(), Duration.ofMinutes(5), modules.resolve("npm-install.log"));
        }
        Path out = Harness.WORK.resolve("openapi").resolve("openapi-check.out");
        int code = run(List.of("node", Harness.SCRIPTS.resolve("openapi-check.js").toString(), document.toString()),
                Map.of("NODE_PATH", modules.resolve("node_modules").toString()), Duration.ofMinutes(2), out);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(0, code, "the validator refused " + document + ":\n" + String.join("\n", lines));
        return lines;
    }

    private static int run(List<String> command, Map<String, String> env, Duration timeout, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " took over " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    @Test
    @Order(3)
    void settingsFromMicroprofileConfigPropertiesTakeEffectAndAClosedStoreWithoutItsClusterIsNotReady() throws Exception {
        Path deployments = running.runDir.resolve("base").resolve("deployments");
        Path war = deployments.resolve(DOWN_CONTEXT + ".war");
        Files.copy(clusterClientWar(), war, StandardCopyOption.REPLACE_EXISTING);
        try {
            Path deployed = deployments.resolve(DOWN_CONTEXT + ".war.deployed");
            Path failed = deployments.resolve(DOWN_CONTEXT + ".war.failed");
            Await.until(() -> Files.exists(deployed) || Files.exists(failed), Duration.ofMinutes(3), DOWN_CONTEXT + " deployed");
            assertTrue(Files.exists(deployed), DOWN_CONTEXT + " failed to deploy; see " + running.logs);

            // the stage and the store came from the WAR's microprofile-config.properties
            String line = running.awaitLogLine(Duration.ofSeconds(30), "usage-plans: metering API MyProjectAPI, stage 'test' "
                    + "(MicroProfile Config usageplans.stage from ", "microprofile-config.properties", "store hazelcast");
            assertTrue(line.contains("/" + DOWN_CONTEXT) || line.contains(DOWN_CONTEXT), line);
            HttpResponse<String> pets = Http.get(running.app(DOWN_CONTEXT) + "/pets", Http.PREMIUM);
            assertEquals(503, pets.statusCode(), pets.body());
            assertEquals("{\"message\":\"Service Unavailable\"}", pets.body());

            HttpResponse<String> r = ready();
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("{\"status\":\"DOWN\""), r.body());
            List<String> checks = usagePlansChecks(r.body());
            assertEquals(2, checks.size(), r.body());
            assertTrue(checks.stream().anyMatch(c -> c.startsWith("{\"name\":\"usage-plans\",\"status\":\"UP\",\"data\":{\"store\":\"local\"")),
                    r.body());
            assertTrue(checks.stream().anyMatch(c -> c.startsWith("{\"name\":\"usage-plans\",\"status\":\"DOWN\",\"data\":{\"store\":\"hazelcast")
                    && c.contains("\"clusterMembers\":0") && c.contains("\"storeProblem\":\"not connected to the Hazelcast cluster\"")
                    && c.contains("\"failClosedPlans\":\"basic,dev,premium\"")), r.body());
        } finally {
            Files.deleteIfExists(war); // the scanner undeploys it
        }
        Path undeployed = deployments.resolve(DOWN_CONTEXT + ".war.undeployed");
        Await.until(() -> Files.exists(undeployed), Duration.ofMinutes(2), DOWN_CONTEXT + " undeployed");
        HttpResponse<String> again = Await.until(() -> {
            try {
                return ready();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, response -> response.statusCode() == 200, Duration.ofSeconds(30), "readiness UP again");
        assertEquals(1, usagePlansChecks(again.body()).size(), again.body());
    }

    /**
     * The example WAR with Hazelcast in {@code WEB-INF/lib} and, in its {@code microprofile-config.properties}, the
     * stage and a Hazelcast client store whose cluster does not run (a free port): MicroProfile Config is the only
     * place these settings are given.
     */
    private static Path clusterClientWar() throws IOException {
        Path example = Harness.war(Harness.EE_WAR);
        Path hazelcast;
        try (Stream<Path> lib = Files.list(Harness.WARS.resolve("lib"))) {
            hazelcast = lib.filter(p -> p.getFileName().toString().matches("hazelcast-5[0-9.]*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no hazelcast jar in " + Harness.WARS.resolve("lib")));
        }
        int nowhere = io.usageplans.testsupport.FreePorts.loopback();
        String config = "mp.openapi.filter=io.usageplans.microprofile.UsagePlansOpenApiFilter\n"
                + "mp.openapi.scan.exclude.packages=io.usageplans.admin\n"
                + "usageplans.stage=test\n"
                + "usageplans.store=hazelcast\n"
                + "usageplans.hazelcast.mode=client\n"
                + "usageplans.hazelcast.cluster-name=mp-nowhere\n"
                + "usageplans.hazelcast.members=127.0.0.1:" + nowhere + "\n"
                + "usageplans.hazelcast.warm-up-timeout=0\n";
        Path copy = Harness.WORK.resolve("wars").resolve(DOWN_CONTEXT + ".war");
        Files.createDirectories(copy.getParent());
        String properties = "WEB-INF/classes/META-INF/microprofile-config.properties";
        try (ZipFile in = new ZipFile(example.toFile()); OutputStream file = Files.newOutputStream(copy);
                ZipOutputStream out = new ZipOutputStream(file)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(properties)) {
                    out.write(config.getBytes(StandardCharsets.ISO_8859_1));
                } else if (!entry.isDirectory()) {
                    try (InputStream stream = in.getInputStream(entry)) {
                        stream.transferTo(out);
                    }
                }
                out.closeEntry();
            }
            if (in.getEntry(properties) == null) {
                throw new IllegalStateException(example + " has no " + properties);
            }
            out.putNextEntry(new ZipEntry("WEB-INF/lib/" + hazelcast.getFileName()));
            Files.copy(hazelcast, out);
            out.closeEntry();
        }
        return copy;
    }
}
