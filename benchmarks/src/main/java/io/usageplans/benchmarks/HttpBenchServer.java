package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.hazelcast.HazelcastUsageStore;
import io.usageplans.infinispan.InfinispanCaches;
import io.usageplans.infinispan.InfinispanUsageStore;
import io.usageplans.spi.UsageStore;
import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.store.lease.ClusterSettings;
import io.usageplans.store.lease.LeasingUsageStore;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One embedded Jetty 12 (EE 11) server for one mode of the HTTP benchmark, on 127.0.0.1 only, serving a trivial
 * JSON servlet at {@code /test/*}, behind:
 * <ul>
 *   <li>{@code bare}: no filter (the baseline);</li>
 *   <li>{@code bucket4j}: {@link HandWrittenBucket4jFilter}, one key;</li>
 *   <li>{@code bucket4j-10k}: the same with 10,000 keys (a bucket each; the wrk script sends them round-robin), the
 *       reference for {@code ours-10k} and {@code ours-hazelcast};</li>
 *   <li>{@code ours-1key}: {@link UsagePlanFilter} with the local store, one key;</li>
 *   <li>{@code ours-10k}: the same with 10,000 keys (the wrk script sends them round-robin);</li>
 *   <li>{@code ours-mix}: one key with an ample throttle and {@link BenchCatalogs#SLOW_KEY} (1 request per second):
 *       the wrk script alternates them, so half of the requests get 429;</li>
 *   <li>{@code ours-hazelcast}: {@link UsagePlanFilter} with the {@link HazelcastUsageStore} (default timeout,
 *       keys not shared) of an embedded member in this JVM, joined (TCP-IP on 127.0.0.1 from {@code --hazelcast-port},
 *       cluster {@code --cluster}) with the {@link HazelcastBenchMember} that {@link HttpBench} starts first; the
 *       server waits for both members before answering {@code READY}. With the 10,000 keys sent round-robin, about
 *       half of the decisions run on the other member (one round trip on loopback) and the other half here (with
 *       their backup on the other member). The engine's {@code usageplans.cluster.mode} ({@code lease}) comes as a
 *       system property set by {@link HttpBench};</li>
 *   <li>{@code ours-hazelcast-exact}: the same in {@code exact} mode;</li>
 *   <li>{@code bucket4j-hazelcast}: {@link Bucket4jHazelcastFilter} (Bucket4j's own Hazelcast proxy) on the same
 *       cluster set-up, 10,000 keys: the cluster baseline;</li>
 *   <li>{@code ours-redis}, {@code ours-redis-exact}: {@link UsagePlanFilter} with the Redis store as
 *       {@code usageplans.store=redis} makes it, on the redis-server at {@code --redis-uri} that {@link HttpBench} starts
 *       for the mode (no persistence), in lease and in exact mode; 10,000 keys;</li>
 *   <li>{@code ours-10k-biting}, {@code ours-hazelcast-biting}, {@code ours-hazelcast-exact-biting}: {@code ours-10k}
 *       and the two cluster modes with {@link BenchCatalogs#bitingCatalog} (about 20% of requests get 429 under the
 *       wrk pattern {@code groups}); the quotas of the spent keys are used up before serving, and the line
 *       {@code rate R} sets the throttle's rate per key (answered {@code RATE R}).</li>
 * </ul>
 * The other plans are {@link BenchCatalogs#PLAN} without quota. With {@code --members N}, a cluster mode waits for N
 * members. One log line per rejection (the logger
 * {@value UsagePlans#REJECTIONS_LOGGER}) is switched off unless {@code --log-rejections} is given.
 *
 * <p>It is driven by its parent ({@link HttpBench}) over stdin and stdout: it prints {@code READY <port>} once
 * serving; the line {@code stats} is answered with {@code STATS <allocated bytes> <process CPU ns> <200 responses>},
 * where allocated bytes is the sum of every live thread's allocation counter (Jetty's threads do not time out
 * during a run, so none of them is lost); {@code quit} or the end of stdin stops the server, so it never outlives
 * its parent. Logs go to stderr.
 *
 * <p>{@code java -cp benchmarks.jar io.usageplans.benchmarks.HttpBenchServer --mode ours-1key --port 18181}
 */
public final class HttpBenchServer {

    /** Every mode; HttpBench and HttpReport take them in this order. */
    public static final List<String> MODES = List.of("bare", "bucket4j", "bucket4j-10k", "ours-1key", "ours-10k", "ours-mix",
            "ours-10k-biting", "bucket4j-hazelcast", "ours-hazelcast", "ours-hazelcast-exact", "ours-hazelcast-biting",
            "ours-hazelcast-exact-biting", "ours-redis", "ours-redis-exact", "ours-infinispan");
    /** Our Redis store in lease mode, on a redis-server of its own that {@link HttpBench} starts ({@code --redis-uri}). */
    public static final String REDIS_MODE = "ours-redis";
    /** Our Redis store in exact mode: one script call per decision. */
    public static final String REDIS_EXACT_MODE = "ours-redis-exact";
    /** Our Infinispan store in lease mode, on an embedded node of this JVM and one more ({@link InfinispanBenchMember}). */
    public static final String INFINISPAN_MODE = "ours-infinispan";
    /** Our Hazelcast store in lease mode ({@code usageplans.cluster.mode=lease}). */
    public static final String HAZELCAST_MODE = "ours-hazelcast";
    /** Our Hazelcast store in exact mode ({@code usageplans.cluster.mode=exact}: one operation per decision). */
    public static final String HAZELCAST_EXACT_MODE = "ours-hazelcast-exact";
    /** Bucket4j's own Hazelcast proxy ({@link Bucket4jHazelcastFilter}): the cluster baseline. */
    public static final String BUCKET4J_HAZELCAST_MODE = "bucket4j-hazelcast";
    /** The setting that chooses how a clustered store decides (lease or exact); the server passes it as a system property. */
    public static final String CLUSTER_MODE_SETTING = "usageplans.cluster.mode";
    /** The lease layer's sync interval in milliseconds. */
    public static final String SYNC_INTERVAL_SETTING = "usageplans.cluster.sync-interval";

    /**
     * Whether {@code mode}'s server JVM runs a Hazelcast member or an Infinispan node, clustered with members of their own
     * JVMs ({@link HazelcastBenchMember}, {@link InfinispanBenchMember}).
     */
    public static boolean clustered(String mode) {
        return mode.equals(BUCKET4J_HAZELCAST_MODE) || mode.startsWith(HAZELCAST_MODE) || infinispan(mode);
    }

    /** Whether {@code mode}'s cluster is Infinispan's (the others are Hazelcast's). */
    public static boolean infinispan(String mode) {
        return mode.equals(INFINISPAN_MODE);
    }

    /**
     * The settings of Infinispan node {@code number} (1: the server's, 2, ...) of a cluster of {@code members} nodes on
     * 127.0.0.1 from {@code basePort}: the store's own embedded mode (JGroups TCP, a static member list).
     */
    static java.util.Map<String, String> infinispanSettings(String cluster, int basePort, int members, int number) {
        StringBuilder list = new StringBuilder();
        for (int m = 0; m < members; m++) {
            list.append(m == 0 ? "" : ",").append("127.0.0.1:").append(basePort + m);
        }
        return java.util.Map.of("usageplans.infinispan.cluster-name", cluster, "usageplans.infinispan.port",
                Integer.toString(basePort + number - 1), "usageplans.infinispan.members", list.toString());
    }

    /** {@code lease} or {@code exact} for our cluster modes, null for the others. */
    public static String clusterMode(String mode) {
        if (infinispan(mode)) {
            return "lease";
        }
        if (redis(mode)) {
            return mode.equals(REDIS_EXACT_MODE) ? "exact" : "lease";
        }
        if (!mode.startsWith(HAZELCAST_MODE)) {
            return null;
        }
        return mode.startsWith(HAZELCAST_EXACT_MODE) ? "exact" : "lease";
    }

    /** Whether {@code mode} has the biting plans ({@link BenchCatalogs#bitingCatalog}) and the wrk pattern of groups. */
    public static boolean biting(String mode) {
        return mode.endsWith("-biting");
    }

    /** Whether {@code mode} runs our Redis store, on a redis-server of its own. */
    public static boolean redis(String mode) {
        return mode.equals(REDIS_MODE) || mode.equals(REDIS_EXACT_MODE);
    }

    /** Whether {@code mode} sends the 10,000 keys (the others send one key, or the mix). */
    public static boolean manyKeys(String mode) {
        return mode.equals("bucket4j-10k") || mode.equals("ours-10k") || biting(mode) || clustered(mode) || redis(mode);
    }

    private static final byte[] BODY = "{\"id\":7,\"type\":\"dog\",\"price\":249.99}".getBytes(StandardCharsets.UTF_8);
    private static final LongAdder SERVED = new LongAdder();
    /** Held here so that the level set on it is not lost when the logger is collected. */
    private static final Logger REJECTIONS = Logger.getLogger(UsagePlans.REJECTIONS_LOGGER);

    private HttpBenchServer() {
    }

    /** The application: a small JSON body, counted. */
    public static final class AppServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("application/json");
            resp.setContentLength(BODY.length);
            resp.getOutputStream().write(BODY);
            SERVED.increment();
        }
    }

    /**
     * {@code STATS <allocated bytes> <process CPU ns> <served>}: the sum of every live thread's allocation counter
     * and this process's CPU time, the answer to the line {@code stats} here and in {@link HazelcastBenchMember}.
     */
    static String stats(long served) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long allocated = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (bytes > 0) {
                allocated += bytes;
            }
        }
        return String.format(Locale.ROOT, "STATS %d %d %d", allocated, os.getProcessCpuTime(), served);
    }

    /**
     * Spends the daily quota of every key on {@link BenchCatalogs#SPENT_PLAN} before serving, so that the biting
     * modes refuse their share from the first request on, whatever the load (at 2,000 req/s, a key's first visit
     * would otherwise come minutes into the run). Four threads; fails if a spent key is not refused afterwards.
     */
    static void spendQuotas(UsagePlans engine, int keys) throws InterruptedException {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicLong allowed = new java.util.concurrent.atomic.AtomicLong();
        for (int i = 0; i < keys; i += BenchCatalogs.SPENT_EVERY) {
            String key = BenchCatalogs.keyValue(i);
            pool.execute(() -> {
                for (int j = 0; j < BenchCatalogs.SPENT_QUOTA; j++) {
                    Decision d = engine.decide(key, "GET", "/pets");
                    engine.complete(d, 200);
                    if (d.outcome() == Decision.Outcome.ALLOWED) {
                        allowed.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)) {
            throw new IllegalStateException("spending the quotas of the biting plan took more than 5 minutes");
        }
        Decision probe = engine.decide(BenchCatalogs.keyValue(0), "GET", "/pets");
        if (probe.outcome() != Decision.Outcome.QUOTA_EXCEEDED) {
            throw new IllegalStateException("key 0's quota of " + BenchCatalogs.SPENT_QUOTA + " is not spent: " + probe.outcome()
                    + " after " + allowed + " allowed requests");
        }
        System.err.printf(Locale.ROOT, "spent the daily quota of %d keys (%d requests allowed)%n",
                (keys + BenchCatalogs.SPENT_EVERY - 1) / BenchCatalogs.SPENT_EVERY, allowed.get());
    }

    public static void main(String[] args) throws Exception {
        String mode = null;
        int port = 0;
        int keys = 10_000;
        boolean logRejections = false;
        String cluster = null;
        int hazelcastPort = 5960;
        String redisUri = null;
        int members = 2;
        double biteRate = 1.0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--log-rejections" -> logRejections = true;
                case "--cluster" -> cluster = args[++i];
                case "--hazelcast-port" -> hazelcastPort = Integer.parseInt(args[++i]);
                case "--redis-uri" -> redisUri = args[++i];
                case "--members" -> members = Integer.parseInt(args[++i]);
                case "--bite-rate" -> biteRate = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --mode " + String.join("|", MODES) + " --port N [--keys N] [--log-rejections]"
                        + " [--cluster NAME --hazelcast-port P --members N] [--bite-rate PER_KEY_PER_SECOND]");
            }
        }
        if (mode == null || !MODES.contains(mode)) {
            throw new IllegalArgumentException("--mode must be one of " + MODES + ", was " + mode);
        }
        if (!logRejections) {
            REJECTIONS.setLevel(Level.WARNING);
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        System.setOut(System.err); // stdout is the protocol; anything else printed goes to the log

        // threads are created on demand and kept for an hour, so their allocation counters survive between samples
        QueuedThreadPool threads = new QueuedThreadPool(200, 8, 3_600_000);
        threads.setName("bench-qtp");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/test");
        UsagePlans engine = null;
        HazelcastInstance member = null;
        UsageStore store = null;
        EmbeddedCacheManager node = null;
        if (infinispan(mode)) {
            if (cluster == null) {
                throw new IllegalArgumentException("--mode " + mode + " needs --cluster NAME (its other nodes')");
            }
            java.util.Map<String, String> settings = infinispanSettings(cluster, hazelcastPort, members, 1);
            node = InfinispanCaches.embedded(settings::get, HttpBenchServer.class.getClassLoader());
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (node.getMembers().size() < members && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling a start-up condition, bounded
            }
            System.err.printf(Locale.ROOT, "%s: Infinispan node of %s with %d members, %s=%s, %s=%s%n", mode, cluster,
                    node.getMembers().size(), CLUSTER_MODE_SETTING, System.getProperty(CLUSTER_MODE_SETTING),
                    SYNC_INTERVAL_SETTING, System.getProperty(SYNC_INTERVAL_SETTING));
        } else if (clustered(mode)) {
            if (cluster == null) {
                throw new IllegalArgumentException("--mode " + mode + " needs --cluster NAME (its other members')");
            }
            member = BenchCluster.member(cluster, hazelcastPort, mode.equals(BUCKET4J_HAZELCAST_MODE));
            BenchCluster.awaitMembers(member, members, 60);
            System.err.printf(Locale.ROOT, "%s: Hazelcast member of %s with %d members, %s=%s, %s=%s%n", mode, cluster,
                    member.getCluster().getMembers().size(), CLUSTER_MODE_SETTING, System.getProperty(CLUSTER_MODE_SETTING),
                    SYNC_INTERVAL_SETTING, System.getProperty(SYNC_INTERVAL_SETTING));
        }
        int n = manyKeys(mode) ? keys : 1;
        List<String> values = java.util.stream.IntStream.range(0, n).mapToObj(BenchCatalogs::keyValue).toList();
        switch (mode) {
            case "bare" -> { }
            case "bucket4j", "bucket4j-10k" -> context.addFilter(new FilterHolder(
                    new HandWrittenBucket4jFilter(values, BenchCatalogs.AMPLE, BenchCatalogs.AMPLE)), "/*", EnumSet.of(DispatcherType.REQUEST));
            case BUCKET4J_HAZELCAST_MODE -> context.addFilter(new FilterHolder(
                    new Bucket4jHazelcastFilter(member, values, BenchCatalogs.AMPLE, BenchCatalogs.AMPLE)), "/*", EnumSet.of(DispatcherType.REQUEST));
            default -> {
                Catalog catalog = biting(mode) ? BenchCatalogs.bitingCatalog(n, biteRate)
                        : BenchCatalogs.catalog(n, BenchCatalogs.plan(BenchCatalogs.QuotaMode.NONE), mode.equals("ours-mix"));
                UsagePlans.Builder builder = UsagePlans.builder(catalog).stage(BenchCatalogs.STAGE);
                if (redis(mode)) {
                    if (redisUri == null) {
                        throw new IllegalArgumentException("--mode " + mode + " needs --redis-uri redis://127.0.0.1:PORT");
                    }
                    // as usageplans.store=redis makes it: usageplans.cluster.mode (a system property HttpBench sets) picks
                    // lease or exact mode; the keys are shared through Redis
                    String uri = redisUri;
                    builder.ownedStore(new io.usageplans.redis.RedisStoreProvider().create(
                            name -> name.equals("usageplans.redis.uri") ? uri : System.getProperty(name),
                            java.time.Clock.systemUTC(), HttpBenchServer.class.getClassLoader()));
                }
                if (node != null) {
                    store = InfinispanUsageStore.builder(node).shareKeys(false).build();
                    builder.store(LeasingUsageStore.forMode(store, ClusterSettings.fromSettings(System::getProperty),
                            java.time.Clock.systemUTC()));
                } else if (member != null) {
                    // keys not shared; usageplans.cluster.mode and .sync-interval come as system properties (HttpBench sets
                    // them) and choose lease or exact mode the way the store provider does
                    store = HazelcastUsageStore.builder(member).shareKeys(false).build();
                    builder.store(LeasingUsageStore.forMode(store, ClusterSettings.fromSettings(System::getProperty),
                            java.time.Clock.systemUTC()));
                }
                engine = builder.build();
                if (biting(mode)) {
                    spendQuotas(engine, n);
                }
                context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
            }
        }
        context.addServlet(new ServletHolder(new AppServlet()), "/*");
        server.setHandler(context);
        server.setStopAtShutdown(true);
        server.start();
        out.println("READY " + connector.getLocalPort());

        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                line = line.trim();
                if (line.equals("stats")) {
                    out.println(stats(SERVED.sum()));
                } else if (line.startsWith("rate ") && engine != null && biting(mode)) {
                    // the biting plans' throttle, set from the measured load (HttpBench): state is kept, the tokens carry over
                    double rate = Double.parseDouble(line.substring(5).trim());
                    engine.replaceCatalog(BenchCatalogs.bitingCatalog(n, rate));
                    out.println(String.format(Locale.ROOT, "RATE %.4f", rate));
                } else if (line.equals("quit")) {
                    break;
                }
            }
        } finally {
            server.stop();
            if (engine != null) {
                System.err.println(mode + ": decisions per plan and outcome: " + engine.counters().byPlan());
                engine.close();
            }
            if (store != null) {
                store.close();
            }
            if (member != null) {
                member.getLifecycleService().terminate();
            }
            if (node != null) {
                node.stop();
            }
        }
        System.exit(0);
    }
}
