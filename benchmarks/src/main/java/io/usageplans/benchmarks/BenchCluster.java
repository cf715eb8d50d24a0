package io.usageplans.benchmarks;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.hazelcast.HazelcastUsageStore;

/**
 * Hazelcast members and clients of the benchmarks, on loopback only: multicast and auto-detection off, TCP-IP join on
 * 127.0.0.1 (ports {@code basePort} to {@code basePort + 9}), phone-home off, and a cluster name the caller makes
 * unique, so that a benchmark never joins another cluster on the same host (the test suites start their own). The
 * compact serializers of {@link HazelcastUsageStore} are registered on every member and client.
 *
 * <p>Hazelcast wants these JVM options (it works without them, slower and with a warning): {@link #JVM_OPTIONS}.
 */
public final class BenchCluster {

    /** The options Hazelcast 5 asks for on Java 17. */
    public static final List<String> JVM_OPTIONS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=jdk");
    /** Ports tried from the base port. */
    public static final int PORT_COUNT = 10;

    private BenchCluster() {
    }

    /** A member's configuration: cluster {@code name}, listening on 127.0.0.1 from {@code basePort}. */
    public static Config memberConfig(String name, int basePort) {
        Config config = new Config();
        config.setClusterName(name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true).setPortCount(PORT_COUNT);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int i = 0; i < PORT_COUNT; i++) { // the members take the first free ports of the range
            join.getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
        }
        return HazelcastUsageStore.configure(config);
    }

    /** A member joining (or founding) cluster {@code name}. */
    public static HazelcastInstance member(String name, int basePort) {
        return member(name, basePort, false);
    }

    /** The same, with Bucket4j's Hazelcast serializers registered too if {@code bucket4j} (every member of its cluster needs them). */
    public static HazelcastInstance member(String name, int basePort, boolean bucket4j) {
        Config config = memberConfig(name, basePort);
        if (bucket4j) {
            Bucket4jHazelcastFilter.registerSerializers(config);
            // the peer as its users run it: Hazelcast's response threads, which our configure() drops on 2 cores
            config.setProperty("hazelcast.operation.response.thread.count", "2");
        }
        return Hazelcast.newHazelcastInstance(config);
    }

    /** A (smart) client of cluster {@code name}, whose members listen from {@code basePort} on 127.0.0.1. */
    public static HazelcastInstance client(String name, int basePort) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(name);
        config.setProperty("hazelcast.logging.type", "jdk");
        for (int i = 0; i < PORT_COUNT; i++) {
            config.getNetworkConfig().addAddress("127.0.0.1:" + (basePort + i));
        }
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        return HazelcastClient.newHazelcastClient(HazelcastUsageStore.configure(config));
    }

    /** Waits until {@code instance} sees {@code size} members; fails after {@code seconds}. */
    public static void awaitMembers(HazelcastInstance instance, int size, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (instance.getCluster().getMembers().size() < size) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no cluster of " + size + " members after " + seconds + " s: "
                        + instance.getCluster().getMembers());
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Operations the members executed on map {@code map} (gets, puts, sets, removes, entry processors...). */
    public static long operations(List<HazelcastInstance> members, String map) {
        long total = 0;
        for (HazelcastInstance member : members) {
            var stats = member.getMap(map).getLocalMapStats();
            total += stats.getGetOperationCount() + stats.getPutOperationCount() + stats.getSetOperationCount()
                    + stats.getRemoveOperationCount() + stats.getOtherOperationCount();
        }
        return total;
    }
}
