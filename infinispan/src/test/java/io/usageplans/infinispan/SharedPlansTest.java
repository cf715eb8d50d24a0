package io.usageplans.infinispan;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.testing.SharedPlansContract;

/**
 * The plans shared by the nodes of an Infinispan cluster (JGroups TCP on loopback, static members): each engine on a
 * node of its own in turn, on caches of the test's own.
 */
class SharedPlansTest extends SharedPlansContract {

    @Override
    protected String storeName() {
        return "infinispan";
    }

    @Override
    protected Grid grid() {
        TestGrid nodes = TestGrid.shared();
        String state = "plans-state-" + UUID.randomUUID();
        String keys = "plans-keys-" + UUID.randomUUID();
        for (EmbeddedCacheManager node : nodes.nodes) {
            InfinispanUsageStore.cache(node, keys, CacheMode.REPL_SYNC);
            InfinispanUsageStore.cache(node, state, CacheMode.DIST_SYNC);
        }
        List<InfinispanUsageStore> stores = new ArrayList<>();
        return new Grid() {
            private int started;

            @Override
            public UsagePlans start(Catalog planFile, Clock clock) {
                EmbeddedCacheManager node = nodes.nodes.get(started++ % nodes.nodes.size());
                InfinispanUsageStore store = InfinispanUsageStore.builder(node).stateCache(state).keysCache(keys)
                        .timeout(Duration.ofSeconds(5)).build();
                stores.add(store);
                return UsagePlans.builder(planFile).stage("test").clock(clock).store(store).build();
            }

            @Override
            public String document() {
                return plans().get(InfinispanCatalog.PLANS_ENTRY);
            }

            @Override
            public void write(String document) {
                plans().put(InfinispanCatalog.PLANS_ENTRY, document);
            }

            private Cache<String, String> plans() {
                return InfinispanUsageStore.cache(nodes.nodes.get(0), keys + InfinispanCatalog.PLANS_SUFFIX, CacheMode.REPL_SYNC);
            }

            @Override
            public void close() {
                stores.forEach(InfinispanUsageStore::close); // the nodes are shared by the test classes
            }
        };
    }
}
