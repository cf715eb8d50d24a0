package io.usageplans.infinispan;

import org.infinispan.manager.EmbeddedCacheManager;

/**
 * A node in a JVM of its own, for tests that crash one: the store's embedded mode from {@code -Dusageplans.infinispan.*}
 * system properties, with the state cache started, until the process is killed or its input ends.
 */
public final class GridNode {

    private GridNode() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedCacheManager node = InfinispanCaches.embedded(System::getProperty, GridNode.class.getClassLoader());
        node.getCache(InfinispanUsageStore.STATE_CACHE);
        System.out.println("started " + node.getAddress());
        while (System.in.read() >= 0) {
            // runs until killed
        }
        node.stop();
    }
}
