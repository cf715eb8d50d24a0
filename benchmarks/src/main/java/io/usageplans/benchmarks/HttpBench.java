package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP load harness behind {@code benchmarks/run-http.sh}: starts one {@link HttpBenchServer} JVM per mode on
 * 127.0.0.1, warms each one up with wrk, then drives them in interleaved rounds (every round runs every mode once,
 * in an order rotated round by round) and prints one table: requests per second, p50/p99 latency, the ratio to the
 * bare baseline of the same round, and the bytes allocated and the CPU used per request by every JVM of the mode
 * (for {@code ours-hazelcast}: the server and the second member), then the targets with their verdicts.
 *
 * <p>Bounded: every wrk run has a fixed duration and is killed if it overruns; the whole run stops starting rounds
 * once {@code --max-minutes} is reached; servers stop when this process ends (shutdown hook, and they exit by
 * themselves when their stdin closes).
 */
public final class HttpBench {

    private static final Pattern RESULT = Pattern.compile("RESULT (.*)");
    private static final List<Process> LIVE = new CopyOnWriteArrayList<>();
    /** Set when the JVM is shutting down (Ctrl-C, kill): failures of runs cut short are then expected, not reported. */
    private static volatile boolean stopping;

    private HttpBench() {
    }

    /** Settings; {@code --quick} (default) and {@code --thorough} set them all, single options override. */
    static final class Options {
        String profile = "quick";
        int rounds = 3;
        int durationSeconds = 2;
        int warmupSeconds = 5;
        int connections = 16;
        int wrkThreads = 2;
        int basePort = 18180;
        int keys = 10_000;
        int hazelcastPort = 5960;
        int members = 2;
        String syncIntervalMillis;
        double maxMinutes = 6;
        List<String> modes = HttpBenchServer.MODES;
        String serverJvmOptions = "-Xms512m -Xmx512m -XX:+AlwaysPreTouch";
        String wrk = "wrk";
        Path lua;
        Path out;

        static Options parse(String[] args) {
            Options o = new Options();
            for (String a : args) { // profiles first, so that single options override them in any order
                if (a.equals("--thorough")) {
                    o.profile = "thorough";
                    o.rounds = 20;
                    o.durationSeconds = 5;
                    o.warmupSeconds = 30;
                    o.maxMinutes = 25;
                }
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick", "--thorough" -> { }
                    case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
                    case "--duration" -> o.durationSeconds = Integer.parseInt(args[++i]);
                    case "--warmup" -> o.warmupSeconds = Integer.parseInt(args[++i]);
                    case "--connections" -> o.connections = Integer.parseInt(args[++i]);
                    case "--wrk-threads" -> o.wrkThreads = Integer.parseInt(args[++i]);
                    case "--base-port" -> o.basePort = Integer.parseInt(args[++i]);
                    case "--keys" -> o.keys = Integer.parseInt(args[++i]);
                    case "--hazelcast-port" -> o.hazelcastPort = Integer.parseInt(args[++i]);
                    case "--members" -> o.members = Integer.parseInt(args[++i]);
                    case "--sync-interval" -> o.syncIntervalMillis = Long.toString(Long.parseLong(args[++i]));
                    case "--max-minutes" -> o.maxMinutes = Double.parseDouble(args[++i]);
                    case "--modes" -> o.modes = List.of(args[++i].split(","));
                    case "--server-jvm-options" -> o.serverJvmOptions = args[++i];
                    case "--wrk" -> o.wrk = args[++i];
                    case "--lua" -> o.lua = Path.of(args[++i]);
                    case "--out" -> o.out = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
                }
            }
            for (String m : o.modes) {
                if (!HttpBenchServer.MODES.contains(m)) {
                    throw new IllegalArgumentException("unknown mode " + m + "; modes are " + HttpBenchServer.MODES);
                }
            }
            if (!o.modes.contains("bare")) {
                throw new IllegalArgumentException("--modes must include bare: every ratio is to the bare baseline of the same round");
            }
            if (o.members < 2 || o.members > BenchCluster.PORT_COUNT) {
                throw new IllegalArgumentException("--members 2.." + BenchCluster.PORT_COUNT + ", was " + o.members);
            }
            if (o.keys < BenchCatalogs.SPENT_EVERY && o.modes.stream().anyMatch(HttpBenchServer::biting)) {
                throw new IllegalArgumentException("the biting modes need --keys " + BenchCatalogs.SPENT_EVERY + " or more");
            }
            if (o.rounds < 1 || o.durationSeconds < 1 || o.warmupSeconds < 0 || o.connections < 1 || o.wrkThreads < 1
                    || o.rounds > 1000 || o.durationSeconds > 600 || o.warmupSeconds > 600) {
                throw new IllegalArgumentException("rounds 1..1000, duration 1..600 s, warm-up 0..600 s, connections and threads >= 1");
            }
            return o;
        }

        static String usage() {
            return """
                    usage: run-http.sh [--quick | --thorough] [options]
                      --quick            3 rounds x 2 s per mode, 5 s warm-up per server (about 1.5 minutes; the default)
                      --thorough         20 rounds x 5 s per mode, 30 s warm-up per server (about 12 minutes)
                      --rounds N --duration S --warmup S --connections C --wrk-threads T
                      --modes bare,bucket4j,bucket4j-10k,ours-1key,ours-10k,ours-mix,ours-10k-biting,bucket4j-hazelcast,
                              ours-hazelcast,ours-hazelcast-exact,ours-hazelcast-biting,ours-hazelcast-exact-biting,
                              ours-redis,ours-redis-exact,ours-infinispan (each Redis mode starts a redis-server of its own)
                                         any subset, bare required (default: all)
                      --keys N           keys of the 10k, biting and cluster modes (default 10000)
                      --members N        Hazelcast members (Infinispan nodes) per cluster mode, the server's included (default 2)
                      --hazelcast-port P cluster mode k (0, 1, ... in --modes order) listens on 127.0.0.1 from P + 10k (default 5960;
                                         Infinispan's JGroups too)
                      --sync-interval MS usageplans.cluster.sync-interval for our cluster modes (default: the engine's)
                      --base-port P      servers listen on 127.0.0.1:P, P+1, ... (default 18180)
                      --max-minutes M    no round starts after M minutes (quick 6, thorough 25)
                      --server-jvm-options "..."   (default "-Xms512m -Xmx512m -XX:+AlwaysPreTouch")
                      --out DIR          where runs.csv, table.md and the server logs go""";
        }

        double plannedSeconds() {
            int n = modes.size();
            return n * (3 + warmupSeconds) + (double) rounds * n * (durationSeconds + 0.6);
        }
    }

    /** One server JVM, driven over its stdin and stdout. */
    static final class ServerProcess {
        final String mode;
        final int port;
        final Process process;
        final PrintWriter commands;
        final BlockingQueue<String> lines = new ArrayBlockingQueue<>(64);
        final Path log;

        ServerProcess(String mode, int port, Process process, Path log) {
            this.mode = mode;
            this.log = log;
            this.port = port;
            this.process = process;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.US_ASCII);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.offer(line);
                    }
                } catch (IOException ignored) {
                    // the server ended
                }
            }, "reader-" + mode);
            reader.setDaemon(true);
            reader.start();
        }

        String await(String prefix, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive()) {
                    throw new IllegalStateException("server " + mode + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
                }
            }
            throw new IllegalStateException("server " + mode + " did not answer " + prefix + " within " + seconds + " s");
        }

        /** {allocated bytes, process CPU ns, 200 responses}. */
        long[] stats() throws InterruptedException {
            lines.clear();
            commands.println("stats");
            String[] f = await("STATS ", 10).split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
        }
    }

    /**
     * One measured wrk run against one mode. {@code allocatedBytes} and {@code cpuNanos} are the server JVM's;
     * {@code otherAllocatedBytes} and {@code otherCpuNanos} those of the mode's other JVMs (the second Hazelcast member
     * of {@code ours-hazelcast}), or -1 when they were not measured (runs.csv files written before they were).
     */
    record Run(int round, String mode, double rps, long requests, long durationMicros, long p50, long p90, long p99, long max,
               long non2xx, long socketErrors, long allocatedBytes, long cpuNanos, long served, long otherAllocatedBytes,
               long otherCpuNanos) {

        /** Bytes allocated per request by every measured JVM of the mode. */
        double bytesPerRequest() {
            return (double) (allocatedBytes + Math.max(0, otherAllocatedBytes)) / requests;
        }

        /** CPU microseconds per request of every measured JVM of the mode. */
        double cpuMicrosPerRequest() {
            return (cpuNanos + Math.max(0, otherCpuNanos)) / 1e3 / requests;
        }
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(Options.usage());
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        String stamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = o.out != null ? o.out : Path.of("target", "http-" + stamp);
        Files.createDirectories(out);
        Path lua = o.lua != null ? o.lua : extractLua(out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            stopAll();
        }, "stop-servers"));

        System.out.printf(Locale.ROOT, "HTTP benchmark, %s: %d modes, %d rounds x %d s, warm-up %d s per server, wrk -t%d -c%d, "
                        + "about %.1f minutes (at most %.0f)%nresults in %s%n", o.profile, o.modes.size(), o.rounds, o.durationSeconds,
                o.warmupSeconds, o.wrkThreads, o.connections, o.plannedSeconds() / 60, o.maxMinutes, out.toAbsolutePath());

        Map<String, ServerProcess> servers = new LinkedHashMap<>();
        List<Run> runs = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        Map<String, List<ServerProcess>> members = new LinkedHashMap<>();
        Map<String, Double> lastRps = new LinkedHashMap<>();
        try {
            String run = "usage-plans-bench-" + stamp + "-" + Long.toHexString(new java.util.Random().nextLong());
            int port = o.basePort;
            int clusterIndex = 0;
            for (String mode : o.modes) {
                String cluster = null;
                int hazelcastPort = o.hazelcastPort + BenchCluster.PORT_COUNT * clusterIndex;
                if (HttpBenchServer.clustered(mode)) { // its other members first, each in a JVM of its own; a cluster per mode
                    clusterIndex++;
                    cluster = run + "-" + mode;
                    List<ServerProcess> others = new ArrayList<>();
                    for (int m = 2; m <= o.members; m++) {
                        ServerProcess member = startMember(o, mode, m, cluster, hazelcastPort, out);
                        others.add(member);
                        pids.add(member.process.pid());
                        Files.writeString(out.resolve("pids"), pids.stream().map(p -> p + "\n").reduce("", String::concat));
                    }
                    members.put(mode, others);
                }
                ServerProcess s = start(o, mode, port++, out, cluster, hazelcastPort);
                servers.put(mode, s);
                pids.add(s.process.pid());
                Files.writeString(out.resolve("pids"), pids.stream().map(p -> p + "\n").reduce("", String::concat));
            }
            for (ServerProcess s : servers.values()) {
                check(s);
            }
            for (ServerProcess s : servers.values()) {
                if (o.warmupSeconds > 0) {
                    System.out.printf(Locale.ROOT, "warm-up %-9s %d s%n", s.mode, o.warmupSeconds);
                    Map<String, Long> r = wrk(o, s, o.warmupSeconds, lua);
                    if (r.get("requests") > 0) {
                        lastRps.put(s.mode, r.get("requests") * 1e6 / r.get("duration_us"));
                    }
                }
            }
            long deadline = started + (long) (o.maxMinutes * 60e9);
            for (int round = 0; round < o.rounds; round++) {
                double roundSeconds = o.modes.size() * (o.durationSeconds + 1.0);
                if (System.nanoTime() + (long) (roundSeconds * 1e9) > deadline) {
                    System.out.printf(Locale.ROOT, "time bound of %.0f minutes reached: stopping after %d rounds%n", o.maxMinutes, round);
                    break;
                }
                List<String> order = new ArrayList<>(o.modes);
                java.util.Collections.rotate(order, -round); // each mode takes each place in the order equally often
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d/%d:", round + 1, o.rounds));
                for (String mode : order) {
                    ServerProcess s = servers.get(mode);
                    if (HttpBenchServer.biting(mode) && lastRps.containsKey(mode)) {
                        setBiteRate(s, BenchCatalogs.biteRate(lastRps.get(mode), o.keys));
                    }
                    // a cluster mode's other members run about half of the entry processors and the backups of the
                    // other half: their bytes and CPU count with the server's
                    List<ServerProcess> others = members.getOrDefault(mode, List.of());
                    long[] before = s.stats();
                    long[] otherBefore = stats(others);
                    Map<String, Long> r = wrk(o, s, o.durationSeconds, lua);
                    long[] after = s.stats();
                    long[] otherAfter = stats(others);
                    long requests = r.get("requests");
                    if (requests == 0) {
                        throw new IllegalStateException("wrk completed no request against " + mode);
                    }
                    Run measured = new Run(round + 1, mode, requests * 1e6 / r.get("duration_us"), requests, r.get("duration_us"),
                            r.get("p50_us"), r.get("p90_us"), r.get("p99_us"), r.get("max_us"), r.get("non2xx"),
                            r.get("connect") + r.get("read") + r.get("write") + r.get("timeout"),
                            after[0] - before[0], after[1] - before[1], after[2] - before[2],
                            otherAfter[0] - otherBefore[0], otherAfter[1] - otherBefore[1]);
                    runs.add(measured);
                    lastRps.put(mode, measured.rps());
                    line.append(String.format(Locale.ROOT, " %s %.0f", mode, measured.rps()));
                }
                System.out.println(line);
            }
        } catch (Exception | Error e) {
            if (stopping) {
                System.out.println("interrupted: servers and wrk stopped; runs so far in " + out.resolve("runs.csv"));
                return;
            }
            throw e;
        } finally {
            writeCsv(out.resolve("runs.csv"), runs);
            if (!stopping) {
                stopAll();
            }
        }
        if (runs.isEmpty()) {
            System.out.println("no measured run");
            return;
        }
        String table = HttpReport.table(runs, o.modes) + "\n" + HttpReport.targets(runs);
        String header = String.format(Locale.ROOT, "%s run of %s UTC, %d rounds x %d s, wrk -t%d -c%d, %d cores, Java %s, server JVM %s%n",
                o.profile, stamp, runs.stream().mapToInt(Run::round).max().orElse(0), o.durationSeconds, o.wrkThreads, o.connections,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), o.serverJvmOptions);
        Files.writeString(out.resolve("table.md"), header + "\n" + table);
        System.out.println();
        System.out.print(header);
        System.out.println();
        System.out.print(table);
        System.out.printf(Locale.ROOT, "%ntook %.1f minutes; raw runs in %s%n", (System.nanoTime() - started) / 60e9,
                out.resolve("runs.csv").toAbsolutePath());
    }

    private static Path extractLua(Path out) throws IOException {
        Path lua = out.resolve("keys.lua");
        try (InputStream in = HttpBench.class.getResourceAsStream("/wrk/keys.lua")) {
            if (in == null) {
                throw new IllegalStateException("wrk/keys.lua is not on the class path; give --lua benchmarks/src/main/resources/wrk/keys.lua");
            }
            Files.copy(in, lua, StandardCopyOption.REPLACE_EXISTING);
        }
        return lua;
    }

    /**
     * Member {@code number} (2, 3, ...) of a cluster mode's cluster: {@link HazelcastBenchMember}, stopped like the
     * servers; with Bucket4j's serializers for {@code bucket4j-hazelcast}.
     */
    private static ServerProcess startMember(Options o, String mode, int number, String cluster, int hazelcastPort, Path out)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(o.serverJvmOptions.trim().split("\\s+")));
        command.addAll(BenchCluster.JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        if (HttpBenchServer.infinispan(mode)) {
            command.addAll(List.of(InfinispanBenchMember.class.getName(), "--cluster", cluster, "--port",
                    Integer.toString(hazelcastPort), "--members", Integer.toString(o.members), "--number", Integer.toString(number)));
        } else {
            command.addAll(List.of(HazelcastBenchMember.class.getName(), "--cluster", cluster, "--port", Integer.toString(hazelcastPort)));
        }
        if (mode.equals(HttpBenchServer.BUCKET4J_HAZELCAST_MODE)) {
            command.add("--bucket4j");
        }
        String name = mode + "-member-" + number;
        Path log = out.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        LIVE.add(p);
        ServerProcess s = new ServerProcess(name, 0, p, log);
        String ready = s.await("READY ", 90);
        System.out.printf(Locale.ROOT, "started %s pid %d, %s member %s of cluster %s%n", name, p.pid(),
                HttpBenchServer.infinispan(mode) ? "Infinispan" : "Hazelcast", ready.substring(6), cluster);
        return s;
    }

    /**
     * A redis-server of its own for a Redis mode, on a free loopback port, without persistence, stopped like the
     * servers; {@code REDIS_SERVER} or the one on the PATH (run-http.sh installs Debian's package when it is missing).
     * Returns its port once it answers.
     */
    private static int startRedis(String mode, Path out) throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String executable = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        Path dir = Files.createDirectories(out.resolve("redis-" + mode));
        Process p = new ProcessBuilder(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("redis-" + mode + ".log").toFile()).start();
        LIVE.add(p);
        // for run-http.sh, should this JVM be killed before it can stop what it started
        Files.writeString(out.resolve("redis-pids"), p.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                if (socket.getInputStream().read() == '+') {
                    break;
                }
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server for " + mode + " did not start; see "
                            + out.resolve("redis-" + mode + ".log").toAbsolutePath(), e);
                }
                Thread.sleep(50);
            }
        }
        System.out.printf(Locale.ROOT, "started redis-server for %s pid %d on 127.0.0.1:%d%n", mode, p.pid(), port);
        return port;
    }

    /** The summed {allocated bytes, CPU ns} of a cluster mode's other members ({0, 0} for none). */
    private static long[] stats(List<ServerProcess> members) throws InterruptedException {
        long[] sum = new long[2];
        for (ServerProcess m : members) {
            long[] s = m.stats();
            sum[0] += s[0];
            sum[1] += s[1];
        }
        return sum;
    }

    /** Sets a biting mode's per-key throttle rate (outside the measured time; the server replaces its catalog). */
    private static void setBiteRate(ServerProcess s, double rate) throws InterruptedException {
        s.lines.clear();
        s.commands.println(String.format(Locale.ROOT, "rate %.6f", rate));
        s.await("RATE ", 30);
    }

    /** The command line of {@code mode}'s server JVM (our cluster modes get {@code -Dusageplans.cluster.mode=lease|exact}). */
    static List<String> serverCommand(Options o, String mode, int port, String cluster, int hazelcastPort) {
        return serverCommand(o, mode, port, cluster, hazelcastPort, 0);
    }

    /** The same, for a Redis mode whose redis-server listens on {@code redisPort}. */
    static List<String> serverCommand(Options o, String mode, int port, String cluster, int hazelcastPort, int redisPort) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(o.serverJvmOptions.trim().split("\\s+")));
        boolean hazelcast = HttpBenchServer.clustered(mode);
        if (hazelcast) {
            command.addAll(BenchCluster.JVM_OPTIONS);
        }
        String clusterMode = HttpBenchServer.clusterMode(mode);
        if (clusterMode != null) { // read by the engine like any setting (system property); today's store has one path
            command.add("-D" + HttpBenchServer.CLUSTER_MODE_SETTING + "=" + clusterMode);
            if (o.syncIntervalMillis != null) {
                command.add("-D" + HttpBenchServer.SYNC_INTERVAL_SETTING + "=" + o.syncIntervalMillis);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpBenchServer.class.getName(),
                "--mode", mode, "--port", Integer.toString(port), "--keys", Integer.toString(o.keys)));
        if (HttpBenchServer.redis(mode)) {
            command.addAll(List.of("--redis-uri", "redis://127.0.0.1:" + redisPort));
        }
        if (hazelcast) {
            command.addAll(List.of("--cluster", cluster, "--hazelcast-port", Integer.toString(hazelcastPort),
                    "--members", Integer.toString(o.members)));
        }
        if (HttpBenchServer.biting(mode)) { // until the first measured load sets it: as if 2,000 req/s
            command.addAll(List.of("--bite-rate", Double.toString(BenchCatalogs.biteRate(2_000, o.keys))));
        }
        return command;
    }

    private static ServerProcess start(Options o, String mode, int port, Path out, String cluster, int hazelcastPort) throws Exception {
        int redisPort = HttpBenchServer.redis(mode) ? startRedis(mode, out) : 0;
        List<String> command = serverCommand(o, mode, port, cluster, hazelcastPort, redisPort);
        Path log = out.resolve("server-" + mode + ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        LIVE.add(p);
        ServerProcess s = new ServerProcess(mode, port, p, log);
        String ready = s.await("READY ", 300);
        System.out.printf(Locale.ROOT, "started %-9s pid %d on 127.0.0.1:%s%n", mode, p.pid(), ready.substring(6));
        return s;
    }

    /**
     * One request per server before anything is measured, so that a broken mode fails at once with a clear message.
     * The Hazelcast mode's first decisions on a cold grid can outlast the store's timeout (503): it gets up to 20 s,
     * and how many 503s came first is printed.
     */
    private static void check(ServerProcess s) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        // key 0 of the biting modes has its quota spent: they are checked with key 1
        HttpRequest request = HttpRequest.newBuilder(url(s)).header("x-api-key", BenchCatalogs.keyValue(HttpBenchServer.biting(s.mode) ? 1 : 0))
                .timeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (HttpBenchServer.clustered(s.mode)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int unavailable = 0;
            while (r.statusCode() == 503 && System.nanoTime() < deadline) {
                unavailable++;
                r = client.send(request, HttpResponse.BodyHandlers.ofString());
            }
            if (unavailable > 0) {
                System.out.printf(Locale.ROOT, "%s: %d requests answered 503 while the grid was cold%n", s.mode, unavailable);
            }
        }
        boolean ours = s.mode.startsWith("ours");
        if (r.statusCode() != 200 || ours && r.headers().firstValue("RateLimit").isEmpty()
                || s.mode.startsWith("bucket4j") && r.headers().firstValue("X-Rate-Limit-Remaining").isEmpty()) {
            throw new IllegalStateException("server " + s.mode + " answered " + r.statusCode() + " " + r.headers().map() + " " + r.body());
        }
    }

    private static URI url(ServerProcess s) {
        return URI.create("http://127.0.0.1:" + s.port + "/test/pets");
    }

    private static Map<String, Long> wrk(Options o, ServerProcess s, int seconds, Path lua) throws Exception {
        List<String> command = new ArrayList<>(List.of(o.wrk, "-t" + o.wrkThreads, "-c" + o.connections, "-d" + seconds + "s",
                "--timeout", "5s", "-s", lua.toString(), url(s).toString(), "--"));
        if (HttpBenchServer.biting(s.mode)) {
            command.addAll(List.of("groups", Integer.toString(o.keys), Integer.toString(BenchCatalogs.BITE_GROUP), Integer.toString(o.wrkThreads)));
        } else if (HttpBenchServer.manyKeys(s.mode)) {
            command.addAll(List.of("many", Integer.toString(o.keys)));
        } else if (s.mode.equals("ours-mix")) {
            command.add("mix");
        } else {
            command.add("one");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        LIVE.add(p);
        try {
            byte[] output;
            try (InputStream in = p.getInputStream()) {
                output = readBounded(p, in, seconds + 20);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            Matcher m = RESULT.matcher(text);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || !m.find()) {
                throw new IllegalStateException("wrk failed against " + s.mode + ": " + String.join(" ", command) + "\n" + text);
            }
            Map<String, Long> values = new LinkedHashMap<>();
            for (String field : m.group(1).trim().split(" ")) {
                String[] kv = field.split("=");
                values.put(kv[0], Long.parseLong(kv[1]));
            }
            return values;
        } finally {
            p.destroyForcibly();
            LIVE.remove(p);
        }
    }

    /** All of a process's output, killing it if it runs past {@code seconds}. */
    private static byte[] readBounded(Process p, InputStream in, int seconds) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "wrk-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            return in.readAllBytes();
        } finally {
            watchdog.interrupt();
        }
    }

    private static void writeCsv(Path file, List<Run> runs) {
        // allocated_bytes and cpu_ns: the server JVM; other_jvms_*: the mode's other JVMs (ours-hazelcast's second
        // member); the two per-request columns count them all. Older files end after cpu_us_per_request (server only).
        StringBuilder csv = new StringBuilder("round,mode,rps,requests,duration_us,p50_us,p90_us,p99_us,max_us,non2xx,socket_errors,"
                + "allocated_bytes,cpu_ns,served_200,bytes_per_request,cpu_us_per_request,other_jvms_allocated_bytes,"
                + "other_jvms_cpu_ns\n");
        for (Run r : runs) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%.2f,%d,%d%n", r.round(), r.mode(),
                    r.rps(), r.requests(), r.durationMicros(), r.p50(), r.p90(), r.p99(), r.max(), r.non2xx(), r.socketErrors(),
                    r.allocatedBytes(), r.cpuNanos(), r.served(), r.bytesPerRequest(), r.cpuMicrosPerRequest(),
                    r.otherAllocatedBytes(), r.otherCpuNanos()));
        }
        try {
            Files.writeString(file, csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every server and wrk this process started: quit, then TERM, then KILL. */
    static synchronized void stopAll() {
        for (Process p : LIVE) {
            try {
                p.getOutputStream().write("quit\n".getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().flush();
            } catch (IOException ignored) {
                // already gone
            }
        }
        for (Process p : LIVE) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(3, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        LIVE.clear();
    }
}
