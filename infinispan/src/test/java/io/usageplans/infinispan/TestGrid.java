package io.usageplans.infinispan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.FreePorts;

/**
 * Real Infinispan nodes on loopback, started by the store's own embedded mode: JGroups TCP on 127.0.0.1, a static
 * member list (TCPPING), no multicast, a unique cluster name and free ports each time.
 */
final class TestGrid implements AutoCloseable {

    final String name = "usage-plans-test-" + UUID.randomUUID();
    final List<EmbeddedCacheManager> nodes = new ArrayList<>();
    final int[] ports;

    private TestGrid(int[] ports) {
        this.ports = ports;
    }

    /** {@code size} nodes, all joined into one cluster before this returns. */
    static TestGrid start(int size) {
        TestGrid grid = new TestGrid(FreePorts.loopback(size));
        try {
            for (int i = 0; i < size; i++) {
                grid.join();
            }
            grid.awaitMembers(size);
        } catch (RuntimeException e) {
            grid.close();
            throw e;
        }
        return grid;
    }

    /** The settings that start node {@code index}, as an application would give them. */
    Map<String, String> settings(int index) {
        StringJoiner members = new StringJoiner(",");
        for (int port : ports) {
            members.add("127.0.0.1:" + port);
        }
        return Map.of("usageplans.infinispan.cluster-name", name, "usageplans.infinispan.port", Integer.toString(ports[index]),
                "usageplans.infinispan.members", members.toString());
    }

    /** Starts the next node, which joins the others. */
    EmbeddedCacheManager join() {
        Map<String, String> settings = settings(nodes.size());
        EmbeddedCacheManager node = InfinispanStoreProvider.embedded(settings::get, TestGrid.class.getClassLoader());
        nodes.add(node);
        return node;
    }

    /** Waits until every running node sees {@code size} members. */
    void awaitMembers(int size) {
        Await.until(() -> nodes.stream().allMatch(n -> n.getMembers() != null && n.getMembers().size() == size),
                java.time.Duration.ofSeconds(20), "all nodes see " + size + " members");
    }

    /** A store on node {@code index}, sharing no keys, waiting at most {@code timeoutMillis}. */
    InfinispanUsageStore store(int index, String cache, long timeoutMillis) {
        for (EmbeddedCacheManager node : nodes) {
            InfinispanUsageStore.cache(node, cache, org.infinispan.configuration.cache.CacheMode.DIST_SYNC);
        }
        return InfinispanUsageStore.builder(nodes.get(index)).stateCache(cache).shareKeys(false)
                .timeout(java.time.Duration.ofMillis(timeoutMillis)).build();
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                // a node a test broke on purpose
            }
        }
    }
}
