package io.usageplans.servers;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where things are and what to run, from the system properties the module's pom sets: {@code servers} (which
 * servers and clusters), {@code servers.scripts}, {@code servers.wars} (the examples' target directory),
 * {@code servers.newcomer-wars} (the newcomer app's target directory), {@code servers.work} (this module's target
 * directory), {@code servers.root}, {@code servers.report}.
 */
final class Harness {

    /** The WAR for servers that bring CDI and JAX-RS. */
    static final String EE_WAR = "usage-plans-example.war";
    /** The WAR that brings Weld and Jersey, for Tomcat and Jetty. */
    static final String SERVLET_WAR = "usage-plans-example-servlet.war";

    static final Path ROOT = path("servers.root", "..");
    static final Path SCRIPTS = path("servers.scripts", "scripts");
    static final Path WARS = path("servers.wars", "../examples/target");
    /** Where the newcomer app's WARs are (orders-ee.war, orders-servlet.war): see {@link NewcomerWars}. */
    static final Path NEWCOMER_WARS = path("servers.newcomer-wars", "../newcomer-app/target");
    static final Path WORK = path("servers.work", "target");

    /** How long a download (once per machine) may take. */
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);
    /** How long a server may take from launch until every WAR has deployed or failed (the scripts' STARTUP_TIMEOUT). */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(Long.getLong("servers.startup-timeout", 300));

    private static final List<String> CLUSTERS = Arrays.stream(ClusterKind.values()).map(kind -> kind.id).toList();
    private static FileLock lock;

    private Harness() {
    }

    private static Path path(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    }

    /** The ids selected with {@code -Dservers=...}: servers and clusters, {@code all} or {@code none}. */
    static Set<String> selection() {
        String value = System.getProperty("servers", "tomcat,wildfly,tomcat-cluster").trim().toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>();
        Arrays.stream(ServerKind.values()).forEach(kind -> known.add(kind.id));
        known.addAll(CLUSTERS);
        known.add(MicroProfileIT.ID);
        if (value.equals("all")) {
            return new LinkedHashSet<>(known);
        }
        Set<String> selected = new LinkedHashSet<>();
        if (value.isEmpty() || value.equals("none")) {
            return selected;
        }
        for (String id : value.split(",")) {
            String trimmed = id.trim();
            if (!known.contains(trimmed)) {
                throw new IllegalArgumentException("-Dservers: unknown server '" + trimmed + "'; use all, none, or some of " + known);
            }
            selected.add(trimmed);
        }
        return selected;
    }

    static Stream<ServerKind> selectedServers() {
        Set<String> selected = selection();
        return Arrays.stream(ServerKind.values()).filter(kind -> selected.contains(kind.id));
    }

    static Stream<ClusterKind> selectedClusters() {
        Set<String> selected = selection();
        return Arrays.stream(ClusterKind.values()).filter(kind -> selected.contains(kind.id));
    }

    /** A WAR the examples module built. */
    static Path war(String name) {
        Path war = WARS.resolve(name);
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war + " does not exist: build the examples first (mvn -B package -DskipTests "
                    + "from the repository root, or run this module within the reactor)");
        }
        return war;
    }

    /**
     * Only one run of these tests per machine at a time (the ports are fixed): a second build, e.g. of another clone,
     * waits here for the first to finish, at most 30 minutes.
     */
    static synchronized void exclusive() throws IOException, InterruptedException {
        if (lock != null) {
            return;
        }
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "usage-plans-servers.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        boolean told = false;
        while ((lock = channel.tryLock()) == null) {
            if (System.nanoTime() > deadline) {
                channel.close();
                throw new IllegalStateException("another run of the server tests held " + file + " for 30 minutes");
            }
            if (!told) {
                System.out.println("[servers] another run of the server tests is using the ports; waiting for it (" + file + ")");
                told = true;
            }
            Thread.sleep(500);
        }
    }
}
