package io.usageplans.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.FailMode;
import io.usageplans.MethodSettings;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;

/** Real Hazelcast members on loopback: multicast off, TCP-IP join on 127.0.0.1, a unique cluster name each time. */
final class TestCluster implements AutoCloseable {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";
    static final String BULK = "bulk-quota-key-0123456789";
    static final String OPEN = "fail-open-key-0123456789";
    static final String WEIGHTED = "weighted-key-0123456789abc";
    static final String SUCCESSES = "successes-key-0123456789ab";

    final String name = "usage-plans-test-" + UUID.randomUUID();
    final List<HazelcastInstance> members = new ArrayList<>();
    private final int basePort;
    private final int size;

    private TestCluster(int basePort, int size) {
        this.basePort = basePort;
        this.size = size;
    }

    /**
     * A cluster of {@code size} members on free ports, none started yet: {@link #join()} starts them one at a time, as
     * separately started applications do.
     */
    static TestCluster onFreePorts(int size) {
        return new TestCluster(freeBasePort(size + 2), size);
    }

    /** Starts the next member, which joins the others; returns once it has joined. */
    HazelcastInstance join() {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config());
        members.add(member);
        return member;
    }

    /** The first of {@code count} consecutive ports that nothing listens on now, from the ephemeral range's neighbourhood. */
    private static int freeBasePort(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                base = probe.getLocalPort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (base + count <= 65_535 && allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found on 127.0.0.1");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException e) {
                return false;
            }
        }
        return true;
    }

    static TestCluster start(int basePort, int size) {
        TestCluster cluster = new TestCluster(basePort, size);
        try {
            for (int i = 0; i < size; i++) {
                cluster.members.add(Hazelcast.newHazelcastInstance(cluster.config()));
            }
            await(() -> cluster.members.stream().allMatch(m -> m.getCluster().getMembers().size() == size), 30_000,
                    "the members to form one cluster");
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    Config config() {
        Config config = new Config();
        config.setClusterName(name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true).setPortCount(size + 2);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int i = 0; i < size; i++) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + (basePort + i));
        }
        return HazelcastUsageStore.configure(config);
    }

    /** The tutorial's plans and keys, plus a plan with a big bucket and a quota of 100, and one that fails open. */
    static Catalog catalog() {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("basic").throttle(10, 20).quota(10, QuotaPeriod.DAY).stage("test").build())
                .plan(Plan.builder("dev").throttle(1000, 2000).stage("test").build())
                .plan(Plan.builder("premium").throttle(20, 40).quota(100, QuotaPeriod.DAY)
                        .stage(ApiStage.of("test").withMethodThrottle("/pets/{petId}/GET", Throttle.of(1, 3))).build())
                .plan(Plan.builder("bulk").throttle(100_000, 100_000).quota(100, QuotaPeriod.DAY).stage("test").build())
                .plan(Plan.builder("lenient").throttle(10, 10).stage("test").failMode(FailMode.OPEN).build())
                .plan(Plan.builder("weighted").throttle(100, 100).quota(10, QuotaPeriod.DAY)
                        .stage(ApiStage.of("test")
                                .withMethod("/reports/GET", new MethodSettings(null, 5, null))
                                .withMethod("/reports/daily/GET", new MethodSettings(Throttle.of(1, 2), 1, "reports"))
                                .withMethod("/reports/weekly/GET", new MethodSettings(Throttle.of(1, 2), 1, "reports")))
                        .build())
                .apiKey(ApiKey.builder("weighted-customer").value(WEIGHTED).plans("weighted").build())
                .plan(Plan.builder("successes").throttle(1000, 1000).quota(10, QuotaPeriod.DAY)
                        .quotaCountStatuses(StatusSet.parse("2xx")).stage("test").build())
                .apiKey(ApiKey.builder("successes-customer").value(SUCCESSES).plans("successes").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC).plans("basic").build())
                .apiKey(ApiKey.builder("dev-team").value(DEV).plans("dev").build())
                .apiKey(ApiKey.builder("premium-customer").value(PREMIUM).plans("premium").build())
                .apiKey(ApiKey.builder("bulk-customer").value(BULK).plans("bulk").build())
                .apiKey(ApiKey.builder("lenient-customer").value(OPEN).plans("lenient").build())
                .build();
    }

    /** Waits, without sleeping blindly, until {@code condition} holds; fails after {@code timeoutMillis}. */
    static void await(BooleanSupplier condition, long timeoutMillis, String what) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    @Override
    public void close() {
        for (HazelcastInstance member : members) {
            try {
                member.getLifecycleService().terminate();
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }
}
