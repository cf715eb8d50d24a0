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
import io.usageplans.UsagePlans;
import io.usageplans.hazelcast.HazelcastUsageStore;
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
 *       their backup on the other member).</li>
 * </ul>
 * Every plan is {@link BenchCatalogs#PLAN} without quota. One log line per rejection (the logger
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
            "ours-hazelcast");
    /** The mode whose JVM runs a Hazelcast member and needs a second member ({@link HazelcastBenchMember}). */
    public static final String HAZELCAST_MODE = "ours-hazelcast";

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

    public static void main(String[] args) throws Exception {
        String mode = null;
        int port = 0;
        int keys = 10_000;
        boolean logRejections = false;
        String cluster = null;
        int hazelcastPort = 5960;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--log-rejections" -> logRejections = true;
                case "--cluster" -> cluster = args[++i];
                case "--hazelcast-port" -> hazelcastPort = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --mode " + String.join("|", MODES) + " --port N [--keys N] [--log-rejections]"
                        + " [--cluster NAME --hazelcast-port P]");
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
        HazelcastUsageStore store = null;
        switch (mode) {
            case "bare" -> { }
            case HAZELCAST_MODE -> {
                if (cluster == null) {
                    throw new IllegalArgumentException("--mode " + HAZELCAST_MODE + " needs --cluster NAME (the second member's)");
                }
                member = BenchCluster.member(cluster, hazelcastPort);
                BenchCluster.awaitMembers(member, 2, 60);
                store = HazelcastUsageStore.builder(member).shareKeys(false).build();
                engine = UsagePlans.builder(BenchCatalogs.catalog(keys, BenchCatalogs.plan(BenchCatalogs.QuotaMode.NONE), false))
                        .stage(BenchCatalogs.STAGE).store(store).build();
                context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
            }
            case "bucket4j", "bucket4j-10k" -> {
                int n = mode.equals("bucket4j-10k") ? keys : 1;
                List<String> values = java.util.stream.IntStream.range(0, n).mapToObj(BenchCatalogs::keyValue).toList();
                context.addFilter(new FilterHolder(new HandWrittenBucket4jFilter(values, BenchCatalogs.AMPLE, BenchCatalogs.AMPLE)),
                        "/*", EnumSet.of(DispatcherType.REQUEST));
            }
            default -> {
                int n = mode.equals("ours-10k") ? keys : 1;
                engine = UsagePlans.builder(BenchCatalogs.catalog(n, BenchCatalogs.plan(BenchCatalogs.QuotaMode.NONE), mode.equals("ours-mix")))
                        .stage(BenchCatalogs.STAGE).build();
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
                } else if (line.equals("quit")) {
                    break;
                }
            }
        } finally {
            server.stop();
            if (engine != null) {
                engine.close();
            }
            if (store != null) {
                store.close();
            }
            if (member != null) {
                member.getLifecycleService().terminate();
            }
        }
        System.exit(0);
    }
}
