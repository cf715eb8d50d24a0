package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.infinispan.InfinispanCaches;
import io.usageplans.infinispan.InfinispanUsageStore;

/**
 * An Infinispan node and nothing else, for the HTTP mode {@code ours-infinispan}: node {@code --number} (2, 3, ...) of
 * the cluster whose first node runs in that mode's server JVM, started by the store's own embedded mode (JGroups TCP on
 * 127.0.0.1, a static member list), with the state cache started. Driven like {@link HazelcastBenchMember} over stdin
 * and stdout: {@code READY <address>}, then {@code members}, {@code stats}, {@code quit}.
 *
 * <p>{@code java -cp benchmarks.jar io.usageplans.benchmarks.InfinispanBenchMember --cluster NAME --port 5960 --members 2 --number 2}
 */
public final class InfinispanBenchMember {

    private InfinispanBenchMember() {
    }

    public static void main(String[] args) throws Exception {
        String cluster = null;
        int port = 5960;
        int members = 2;
        int number = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--members" -> members = Integer.parseInt(args[++i]);
                case "--number" -> number = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --cluster NAME [--port P] [--members N] [--number K]");
            }
        }
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("--cluster NAME is required (a name unique to this run)");
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        System.setOut(System.err); // stdout is the protocol
        Map<String, String> settings = HttpBenchServer.infinispanSettings(cluster, port, members, number);
        EmbeddedCacheManager node = InfinispanCaches.embedded(settings::get, InfinispanBenchMember.class.getClassLoader());
        node.getCache(InfinispanUsageStore.STATE_CACHE);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            out.println("READY " + node.getAddress());
            for (String line; (line = in.readLine()) != null; ) {
                line = line.trim();
                if (line.equals("members")) {
                    out.println("MEMBERS " + node.getMembers().size());
                } else if (line.equals("stats")) {
                    out.println(HttpBenchServer.stats(0));
                } else if (line.equals("quit")) {
                    break;
                }
            }
        } finally {
            node.stop();
        }
        System.exit(0);
    }
}
