package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.hazelcast.core.HazelcastInstance;

/**
 * A Hazelcast member and nothing else, for the HTTP mode {@code ours-hazelcast}: the second member of the two-member
 * cluster on loopback, started by {@link HttpBench} before the server of that mode (whose JVM runs the first,
 * embedded, member). TCP-IP join on 127.0.0.1 from {@code --port} (default 5960; see {@link BenchCluster}), cluster
 * name from {@code --cluster} (give a unique one). It prints {@code READY <address>} once up, {@code MEMBERS <n>} on
 * the line {@code members}, {@code STATS <allocated bytes> <process CPU ns> 0} on the line {@code stats} (as
 * {@link HttpBenchServer} does, so that the mode's bytes and CPU per request count this member too: it runs about half
 * of the entry processors and the backups of the other half), and stops on {@code quit} or at the end of stdin, so it
 * never outlives its parent.
 *
 * <p>{@code java <BenchCluster.JVM_OPTIONS> -cp benchmarks.jar io.usageplans.benchmarks.HazelcastBenchMember --cluster NAME --port 5960}
 */
public final class HazelcastBenchMember {

    private HazelcastBenchMember() {
    }

    public static void main(String[] args) throws Exception {
        String cluster = null;
        int port = 5960;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: --cluster NAME [--port P]");
            }
        }
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("--cluster NAME is required (a name unique to this run)");
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        System.setOut(System.err); // stdout is the protocol
        HazelcastInstance member = BenchCluster.member(cluster, port);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            out.println("READY " + member.getCluster().getLocalMember().getAddress());
            for (String line; (line = in.readLine()) != null; ) {
                line = line.trim();
                if (line.equals("members")) {
                    out.println("MEMBERS " + member.getCluster().getMembers().size());
                } else if (line.equals("stats")) {
                    out.println(HttpBenchServer.stats(0));
                } else if (line.equals("quit")) {
                    break;
                }
            }
        } finally {
            member.getLifecycleService().terminate(); // non-daemon threads: without this the JVM would not end
        }
        System.exit(0);
    }
}
