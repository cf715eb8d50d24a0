package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.hazelcast.core.HazelcastInstance;

/**
 * A Hazelcast member and nothing else, for the HTTP cluster modes ({@code ours-hazelcast*}, {@code bucket4j-hazelcast}):
 * the second (third, ...) member of the mode's cluster on loopback, started by {@link HttpBench} before the server of
 * that mode (whose JVM runs the first, embedded, member); with {@code --bucket4j}, Bucket4j's Hazelcast serializers
 * are registered too. TCP-IP join on 127.0.0.1 from {@code --port} (default 5960; see {@link BenchCluster}), cluster
 * name from {@code --cluster} (give a unique one). It prints {@code READY <address>} once up, {@code MEMBERS <n>} on
 * the line {@code members}, {@code STATS <allocated bytes> <process CPU ns> 0} on the line {@code stats} (as
 * {@link HttpBenchServer} does, so that the mode's bytes and CPU per request count this member too: it runs about half
 * of the entry processors and the backups of the other half), and stops on {@code quit} or at the end of stdin, so it
 * never outlives its parent.
 *
 * <p>{@code java <BenchCluster.JVM_OPTIONS> -cp benchmarks.jar io.usageplans.benchmarks.HazelcastBenchMember --cluster NAME --port 5960 [--bucket4j]}
 */
public final class HazelcastBenchMember {

    private HazelcastBenchMember() {
    }

    public static void main(String[] args) throws Exception {
        String cluster = null;
        int port = 5960;
        boolean bucket4j = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--bucket4j" -> bucket4j = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: --cluster NAME [--port P] [--bucket4j]");
            }
        }
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("--cluster NAME is required (a name unique to this run)");
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.US_ASCII);
        System.setOut(System.err); // stdout is the protocol
        HazelcastInstance member = BenchCluster.member(cluster, port, bucket4j);
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
