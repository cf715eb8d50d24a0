package io.usageplans.hazelcast;

import java.time.Clock;
import java.time.Duration;

import com.hazelcast.core.HazelcastInstance;
import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.testing.SharedPlansContract;

/**
 * The plans shared by the members of a Hazelcast cluster: members that join one at a time over TCP-IP on loopback
 * (multicast off, a unique cluster name, free ports), each with an engine of its own.
 */
class SharedPlansTest extends SharedPlansContract {

    @Override
    protected String storeName() {
        return "hazelcast";
    }

    @Override
    protected Grid grid() {
        TestCluster cluster = TestCluster.onFreePorts(3);
        return new Grid() {
            @Override
            public UsagePlans start(Catalog planFile, Clock clock) {
                HazelcastInstance member = cluster.join();
                int size = cluster.members.size();
                TestCluster.await(() -> cluster.members.stream().allMatch(m -> m.getCluster().getMembers().size() == size), 30_000,
                        "the members to form one cluster");
                return UsagePlans.builder(planFile).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build();
            }

            @Override
            public String document() {
                return map().get(ClusterCatalog.PLANS_ENTRY);
            }

            @Override
            public void write(String document) {
                map().put(ClusterCatalog.PLANS_ENTRY, document);
            }

            private com.hazelcast.map.IMap<String, String> map() {
                return cluster.members.get(0).getMap(ClusterCatalog.PLANS_MAP);
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }
}
