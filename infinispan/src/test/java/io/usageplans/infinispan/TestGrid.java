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

    private static TestGrid shared;

    /**
     * Two nodes shared by the test classes of this JVM that only use them (each on caches of its own), so that the
     * cluster starts once; stopped when the JVM exits.
     */
    static synchronized TestGrid shared() {
        if (shared == null) {
            shared = start(2);
            TestGrid grid = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(grid::close));
        }
        return shared;
    }

    /** {@code size} nodes, all joined into one cluster before this returns. */
    static TestGrid start(int size) {
        return start(size, size);
    }

    /**
     * A cluster of {@code size} nodes of which {@code inThisJvm} start here, all joined before this returns; the others
     * are for {@link #launch} to start in JVMs of their own.
     */
    static TestGrid start(int size, int inThisJvm) {
        TestGrid grid = new TestGrid(FreePorts.loopback(size));
        try {
            for (int i = 0; i < inThisJvm; i++) {
                grid.join();
            }
            grid.awaitMembers(inThisJvm);
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
        EmbeddedCacheManager node = InfinispanCaches.embedded(settings::get, TestGrid.class.getClassLoader());
        nodes.add(node);
        return node;
    }

    /**
     * Starts node {@code index} in a JVM of its own ({@link GridNode}), on this JVM's class path; returns once it has
     * joined. Killing the process is a crash: no goodbye to the others.
     */
    Process launch(int index) throws java.io.IOException {
        List<String> command = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path")));
        settings(index).forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add(GridNode.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new java.io.File("target/grid-node-" + index + ".log"))).start();
        launched.add(process);
        awaitMembers(nodes.size() + 1);
        return process;
    }

    private final List<Process> launched = new ArrayList<>();

    /** Waits until every node of this JVM sees {@code size} members. */
    void awaitMembers(int size) {
        Await.until(() -> nodes.stream().allMatch(n -> n.getMembers() != null && n.getMembers().size() == size),
                java.time.Duration.ofSeconds(30), "all nodes see " + size + " members");
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
        launched.forEach(Process::destroyForcibly);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                // a node a test broke on purpose
            }
        }
    }
}
