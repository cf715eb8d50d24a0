package io.usageplans.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server started by {@code scripts/server.sh} with some WARs, and stopped again on {@link #close()} (or, should the
 * test JVM end first, by a shutdown hook). What the script reported: version, JDK, each WAR's outcome, the logs.
 */
final class RunningServer implements AutoCloseable {

    /** The scripts running now, ended first should the JVM exit meanwhile. */
    private static final Set<Process> SCRIPTS = ConcurrentHashMap.newKeySet();

    final ServerKind kind;
    final int port;
    final Path runDir;
    final String version;
    final String jdk;
    final String url;
    final double seconds;
    final Instant startedAt;
    final long pid;
    final List<Path> logs;
    final Map<String, String> apps;
    private final Thread stopAtExit;
    private boolean closed;

    private RunningServer(ServerKind kind, int port, Path runDir, Instant startedAt, Map<String, String> report, List<Path> logs,
            Map<String, String> apps, Thread stopAtExit) {
        this.kind = kind;
        this.port = port;
        this.runDir = runDir;
        this.startedAt = startedAt;
        this.version = report.get("version");
        this.jdk = report.get("jdk");
        this.url = report.get("url");
        this.seconds = Double.parseDouble(report.get("seconds"));
        this.pid = Long.parseLong(report.get("pid"));
        this.logs = logs;
        this.apps = apps;
        this.stopAtExit = stopAtExit;
    }

    /** Downloads and unpacks the server unless it is cached. */
    static void install(ServerKind kind) throws IOException, InterruptedException {
        Path run = Harness.WORK.resolve("run");
        run(List.of("install", kind.id), Map.of(), Harness.INSTALL_TIMEOUT, run.resolve(kind.id + ".install.out"),
                run.resolve(kind.id + ".install.log"));
    }

    /**
     * Starts {@code kind} on {@code port} with the WARs (context to file), waits until each has deployed or failed.
     * {@code jvmOptions} go to the server's JVM; {@code env} to the script (see each server's script).
     */
    static RunningServer start(ServerKind kind, String name, int port, Map<String, Path> wars, String jvmOptions,
            Map<String, String> env) throws IOException, InterruptedException {
        Harness.exclusive();
        install(kind);
        Path runDir = Harness.WORK.resolve("run").resolve(name);
        Path out = runDir.resolveSibling(name + ".start.out");
        Path err = runDir.resolveSibling(name + ".start.log");
        List<String> args = new ArrayList<>(List.of("start", kind.id, Integer.toString(port), runDir.toString()));
        wars.forEach((context, war) -> args.add(context + "=" + war));
        Map<String, String> environment = new LinkedHashMap<>(env);
        environment.put("JAVA_OPTS_EXTRA", jvmOptions);
        environment.put("STARTUP_TIMEOUT", Long.toString(Harness.STARTUP_TIMEOUT.toSeconds()));
        Instant startedAt = Instant.now();
        // should this JVM end while the server starts or runs (Ctrl-C, a killed build), it still stops the server
        Thread stopAtExit = new Thread(() -> {
            SCRIPTS.forEach(RunningServer::destroy);
            stop(runDir);
        }, "stop " + name);
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        try {
            run(args, environment, Harness.STARTUP_TIMEOUT.plusMinutes(3), out, err);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(runDir);
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
            throw e;
        }
        Map<String, String> report = new LinkedHashMap<>();
        List<Path> logs = new ArrayList<>();
        Map<String, String> apps = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("log")) {
                logs.add(Path.of(value));
            } else if (key.startsWith("app.")) {
                apps.put(key.substring(4), value);
            } else {
                report.put(key, value);
            }
        }
        return new RunningServer(kind, port, runDir, startedAt, report, logs, apps, stopAtExit);
    }

    /** Runs the script; fails with the tail of its log when it fails or overruns (and stops what it started). */
    private static void run(List<String> args, Map<String, String> env, Duration timeout, Path out, Path err)
            throws IOException, InterruptedException {
        Files.createDirectories(out.getParent());
        List<String> command = new ArrayList<>(List.of("bash", Harness.SCRIPTS.resolve("server.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(env);
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
            builder.environment().put("MVN", Path.of(mavenHome, "bin", "mvn").toString());
        }
        Process process = builder.start();
        SCRIPTS.add(process);
        boolean finished;
        try {
            finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            destroy(process);
            throw e;
        } finally {
            SCRIPTS.remove(process);
        }
        if (!finished) {
            destroy(process);
            if (args.get(0).equals("start")) {
                stop(Path.of(args.get(3)));
            }
            throw new IllegalStateException("server.sh " + String.join(" ", args.subList(0, 2)) + " did not finish within "
                    + timeout + "; its log " + err + " ends with:\n" + tail(err, 30));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("server.sh " + String.join(" ", args.subList(0, 2)) + " failed (exit "
                    + process.exitValue() + "); its log " + err + " ends with:\n" + tail(err, 30));
        }
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private static void stop(Path runDir) {
        try {
            Process process = new ProcessBuilder("bash", Harness.SCRIPTS.resolve("server.sh").toString(), "stop", runDir.toString())
                    .redirectErrorStream(true).redirectOutput(runDir.resolveSibling(runDir.getFileName() + ".stop.log").toFile())
                    .start();
            if (!process.waitFor(4, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The base URL of an application: {@code http://127.0.0.1:PORT/CONTEXT}. */
    String app(String context) {
        return url + "/" + context;
    }

    /** Whether the server's process is still running. */
    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The first line of the server's logs that contains every one of {@code fragments}. */
    Optional<String> logLine(String... fragments) {
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            try (Stream<Path> files = Files.isDirectory(log) ? Files.walk(log).filter(Files::isRegularFile) : Stream.of(log)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
                        Optional<String> line = lines.filter(l -> Stream.of(fragments).allMatch(l::contains)).findFirst();
                        if (line.isPresent()) {
                            return line;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    /** Waits until a log line contains every one of {@code fragments}; fails after {@code timeout}. */
    String awaitLogLine(Duration timeout, String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = logLine(fragments);
            if (line.isPresent()) {
                return line.get();
            }
            if (!alive()) {
                throw new IllegalStateException(kind.id + " on port " + port + " exited while waiting for " + List.of(fragments));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(kind.id + " on port " + port + ": no log line with " + List.of(fragments)
                        + " within " + timeout + " (logs: " + logs + ")");
            }
            Thread.sleep(250);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(runDir);
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway; stopping twice is harmless
        }
    }
}
