package io.usageplans.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * What each server did in this run: version, JDK, when it started and how long start and deployment took, and which
 * tests passed. Written as Markdown to {@code target/servers.md} at the end of the run, and to the file named by
 * {@code -Dservers.report} (relative to the repository root; the full matrix writes {@code docs/servers.md}).
 */
final class Results {

    /** One server, or one cluster of two instances. */
    static final class Row {
        final String id;
        final boolean cluster;
        String title;
        String version;
        String jdk;
        String war;
        Instant startedAt;
        String startSeconds;
        String startFailure;
        final List<String> passed = new ArrayList<>();
        final Map<String, String> failed = new LinkedHashMap<>();

        Row(String id, boolean cluster) {
            this.id = id;
            this.cluster = cluster;
        }

        boolean passes() {
            return startFailure == null && failed.isEmpty() && !passed.isEmpty();
        }
    }

    /** Implemented by the test classes, so that {@link Recorder} knows which row a test belongs to. */
    interface Recorded {
        Row row();
    }

    /** Records each test's outcome in its server's row. */
    static final class Recorder implements TestWatcher {
        @Override
        public void testSuccessful(ExtensionContext context) {
            row(context).ifPresent(row -> record(() -> row.passed.add(context.getRequiredTestMethod().getName())));
        }

        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            row(context).ifPresent(row -> record(() -> row.failed.put(context.getRequiredTestMethod().getName(), firstLine(cause))));
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
            row(context).ifPresent(row -> record(() -> row.failed.put(context.getRequiredTestMethod().getName(),
                    "aborted: " + firstLine(cause))));
        }

        private static java.util.Optional<Row> row(ExtensionContext context) {
            return context.getTestInstance().filter(Recorded.class::isInstance).map(instance -> ((Recorded) instance).row());
        }
    }

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();
    private static final Instant RUN = Instant.now();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Results() {
    }

    static synchronized Row row(String id, boolean cluster) {
        return ROWS.computeIfAbsent(id, key -> new Row(key, cluster));
    }

    static String firstLine(Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).replace('|', '/');
    }

    private static synchronized void record(Runnable change) {
        change.run();
    }

    static synchronized void write() {
        if (ROWS.isEmpty()) {
            return;
        }
        String markdown = render();
        try {
            Files.createDirectories(Harness.WORK);
            Files.writeString(Harness.WORK.resolve("servers.md"), markdown, StandardCharsets.UTF_8);
            String report = System.getProperty("servers.report", "").trim();
            if (!report.isEmpty()) {
                Path target = Harness.ROOT.resolve(report).normalize();
                Files.createDirectories(target.getParent());
                Files.writeString(target, markdown, StandardCharsets.UTF_8);
                System.out.println("[servers] results written to " + target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render() {
        StringBuilder md = new StringBuilder();
        md.append("# Servers: results of the last run\n\n");
        String selected = System.getProperty("servers");
        md.append("Written by the tests of the `servers` module at the end of `mvn -B verify")
                .append(selected == null ? "" : " -Dservers=" + selected).append("` (")
                .append(String.join(", ", Harness.selection())).append("), started ").append(TIME.format(RUN.truncatedTo(ChronoUnit.SECONDS)))
                .append(", on ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" with ").append(Runtime.getRuntime().availableProcessors()).append(" cores (Maven on Java ")
                .append(System.getProperty("java.version")).append(").\n");
        md.append("\"Start + deploy\" is the time from launching the server until every WAR has deployed or failed, as its script in\n")
                .append("`servers/scripts/` measures it. How to run it, and what each server needs: the README's \"Servers\" section.\n\n");

        List<Row> servers = ROWS.values().stream().filter(row -> !row.cluster).toList();
        List<Row> clusters = ROWS.values().stream().filter(row -> row.cluster).toList();
        if (!servers.isEmpty()) {
            md.append("## One server: the tutorial scenario, and a WAR with a broken plan file next to it\n\n");
            table(md, servers, "server", "WAR");
        }
        if (!clusters.isEmpty()) {
            md.append("## Two instances of one server kind in one cluster\n\n");
            table(md, clusters, "cluster", "store");
        }
        Set<String> tests = new LinkedHashSet<>();
        ROWS.values().forEach(row -> {
            tests.addAll(row.passed);
            tests.addAll(row.failed.keySet());
        });
        md.append("## Tests\n\n");
        for (Row row : ROWS.values()) {
            if (row.startFailure != null) {
                md.append("- **").append(row.id).append("** did not start: ").append(row.startFailure).append('\n');
            }
            row.failed.forEach((test, why) -> md.append("- **").append(row.id).append("** failed `").append(test).append("`: ")
                    .append(why).append('\n'));
        }
        if (ROWS.values().stream().allMatch(Row::passes)) {
            md.append("Every test passed on every server:\n\n");
        } else {
            md.append("\nThe tests:\n\n");
        }
        tests.stream().sorted().forEach(test -> md.append("- `").append(test).append("`\n"));
        return md.toString();
    }

    private static void table(StringBuilder md, List<Row> rows, String what, String how) {
        md.append("| ").append(what).append(" | version | JDK | ").append(how)
                .append(" | started at | start + deploy | tests passed | result |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            int total = row.passed.size() + row.failed.size();
            md.append("| ").append(row.title).append(" | ").append(orDash(row.version)).append(" | ").append(orDash(row.jdk))
                    .append(" | ").append(orDash(row.war)).append(" | ")
                    .append(row.startedAt == null ? "–" : TIME.format(row.startedAt.truncatedTo(ChronoUnit.SECONDS))).append(" | ")
                    .append(row.startSeconds == null ? "–" : row.startSeconds).append(" | ")
                    .append(row.startFailure != null ? "did not start" : row.passed.size() + "/" + total).append(" | ")
                    .append(row.passes() ? "**pass**" : "**FAIL**").append(" |\n");
        }
        md.append('\n');
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "–" : value;
    }
}
