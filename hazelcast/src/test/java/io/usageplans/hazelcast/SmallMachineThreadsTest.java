package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.Test;

/**
 * On a machine with 2 processors or fewer, {@link HazelcastUsageStore#configure(Config)} gives a member one IO thread
 * each way, one partition thread and one generic operation thread, unless the configuration says otherwise; decisions
 * stay exact.
 */
class SmallMachineThreadsTest {

    @Test
    void aTwoCoreMemberRunsOneIoThreadEachWayAndOneOperationThreadOfEachKindAndStillSharesTheBurstExactly() {
        String cluster = "usage-plans-test-" + UUID.randomUUID();
        int[] ports = FreePorts.loopback(2);
        List<HazelcastInstance> members = new ArrayList<>();
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try {
            for (int i = 0; i < 2; i++) {
                Config config = HazelcastUsageStore.smallMachineThreads(memberConfig(cluster, ports, i), 2);
                members.add(Hazelcast.newHazelcastInstance(config));
            }
            TestCluster.await(() -> members.stream().allMatch(m -> m.getCluster().getMembers().size() == 2), 30_000,
                    "the members to form one cluster");
            for (HazelcastInstance member : members) {
                String prefix = "hz." + member.getName() + ".";
                assertEquals(1, threads(prefix + "IO.thread-in-"), "IO input threads of " + member.getName());
                assertEquals(1, threads(prefix + "IO.thread-out-"), "IO output threads");
                assertEquals(1, threads(prefix + "partition-operation.thread-"), "partition threads");
                assertEquals(1, threads(prefix + "generic-operation.thread-"), "generic operation threads");
            }

            List<UsagePlans> engines = new ArrayList<>();
            for (HazelcastInstance member : members) {
                engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).shareKeys(false).build()).build());
            }
            int allowed = 0;
            for (int i = 0; i < 60; i++) {
                if (engines.get(i % 2).decide(TestCluster.PREMIUM, "GET", "/pets").outcome() == Outcome.ALLOWED) {
                    allowed++;
                }
            }
            assertEquals(40, allowed, "premium's burst of 40, shared by both members");
            engines.forEach(UsagePlans::close);
        } finally {
            members.forEach(m -> m.getLifecycleService().terminate());
        }
    }

    @Test
    void threadCountsSetInTheConfigurationOrAsSystemPropertiesAreKept() {
        Config config = new Config();
        config.setProperty("hazelcast.io.thread.count", "3");
        HazelcastUsageStore.smallMachineThreads(config, 1);
        assertEquals("3", config.getProperty("hazelcast.io.thread.count"), "the configuration's own value");
        assertEquals("1", config.getProperty("hazelcast.operation.thread.count"));

        String name = "hazelcast.operation.generic.thread.count";
        String before = System.getProperty(name);
        System.setProperty(name, "4");
        try {
            Config other = HazelcastUsageStore.smallMachineThreads(new Config(), 2);
            assertEquals("4", other.getProperty(name), "the system property's value, not overridden");
        } finally {
            if (before == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, before);
            }
        }
    }

    @Test
    void machinesWithMoreThanTwoProcessorsKeepHazelcastsDefaults() {
        Config config = HazelcastUsageStore.smallMachineThreads(new Config(), 4);
        for (String name : HazelcastUsageStore.SMALL_MACHINE_THREADS.keySet()) {
            assertNull(config.getProperty(name), name);
        }
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** A loopback member like {@link TestCluster}'s, without {@link HazelcastUsageStore#configure}'s thread counts. */
    private static Config memberConfig(String cluster, int[] ports, int member) {
        Config config = new Config();
        config.setClusterName(cluster);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(ports[member]).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        for (int port : ports) {
            join.getTcpIpConfig().addMember("127.0.0.1:" + port);
        }
        for (var serializer : Serializers.all()) {
            config.getSerializationConfig().getCompactSerializationConfig().addSerializer(serializer);
        }
        return config;
    }
}
