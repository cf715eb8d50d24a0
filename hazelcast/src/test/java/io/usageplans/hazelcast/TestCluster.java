package io.usageplans.hazelcast;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Quota;
import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.FailMode;
import io.usageplans.MethodSettings;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.FreePorts;

/**
 * Real Hazelcast members on loopback: multicast off, TCP-IP join on 127.0.0.1, a unique cluster name and free ports
 * each time.
 */
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
    private final int[] ports;

    private TestCluster(int[] ports) {
        this.ports = ports;
    }

    /**
     * A cluster of {@code size} members on free ports, none started yet: {@link #join()} starts them one at a time, as
     * separately started applications do.
     */
    static TestCluster onFreePorts(int size) {
        return new TestCluster(FreePorts.loopback(size));
    }

    /** Starts the next member, which joins the others; returns once it has joined. */
    HazelcastInstance join() {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config(members.size()));
        members.add(member);
        return member;
    }

    /** {@code size} members, each on a port that was free a moment ago (never fixed ones: builds run side by side). */
    static TestCluster start(int size) {
        return start(size, (member, config) -> { });
    }

    /** As {@link #start(int)}, with {@code tweak} applied to member {@code i}'s configuration before it starts. */
    static TestCluster start(int size, java.util.function.BiConsumer<Integer, Config> tweak) {
        TestCluster cluster = new TestCluster(FreePorts.loopback(size));
        try {
            for (int i = 0; i < size; i++) {
                Config config = cluster.config(i);
                tweak.accept(i, config);
                cluster.members.add(Hazelcast.newHazelcastInstance(config));
            }
            await(() -> cluster.members.stream().allMatch(m -> m.getCluster().getMembers().size() == size), 30_000,
                    "the members to form one cluster");
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Where member {@code i} listens: {@code 127.0.0.1:port}. */
    String address(int i) {
        return "127.0.0.1:" + ports[i];
    }

    private Config config(int member) {
        int size = ports.length;
        Config config = new Config();
        config.setClusterName(name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(ports[member]).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int i = 0; i < size; i++) {
            join.getTcpIpConfig().addMember(address(i));
        }
        return HazelcastUsageStore.configure(config);
    }

    /** The tutorial's plans and keys, plus a plan with a big bucket and a quota of 100, and one that fails open. */
    static Catalog catalog() {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(2000)).stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(20).burstLimit(40)).quota(Quota.limit(100).period(QuotaPeriod.DAY))
                        .stage(ApiStage.of("test").withMethodThrottle("/pets/{petId}/GET", Throttle.rateLimit(1).burstLimit(3))).build())
                .plan(Plan.builder("bulk").throttle(Throttle.rateLimit(100_000).burstLimit(100_000)).quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("lenient").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").failMode(FailMode.OPEN).build())
                .plan(Plan.builder("weighted").throttle(Throttle.rateLimit(100).burstLimit(100)).quota(Quota.limit(10).period(QuotaPeriod.DAY))
                        .stage(ApiStage.of("test")
                                .withMethod("/reports/GET", new MethodSettings(null, 5, null))
                                .withMethod("/reports/daily/GET", new MethodSettings(Throttle.rateLimit(1).burstLimit(2), 1, "reports"))
                                .withMethod("/reports/weekly/GET", new MethodSettings(Throttle.rateLimit(1).burstLimit(2), 1, "reports")))
                        .build())
                .apiKey(ApiKey.builder("weighted-customer").value(WEIGHTED).plans("weighted").build())
                .plan(Plan.builder("successes").throttle(Throttle.rateLimit(1000).burstLimit(1000)).quota(Quota.limit(10).period(QuotaPeriod.DAY))
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
        Await.until(condition, Duration.ofMillis(timeoutMillis), what);
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
