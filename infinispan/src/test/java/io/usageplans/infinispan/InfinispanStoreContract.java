package io.usageplans.infinispan;

import java.time.Clock;

import io.usageplans.spi.UsageStore;
import io.usageplans.testing.UsageStoreContract;
import org.junit.jupiter.api.AfterAll;

/**
 * The Infinispan store keeps every store rule, on a real cluster over loopback (JGroups TCP, a static member list, a
 * unique cluster name), on one distributed state cache emptied before each case, alternating nodes so that owners
 * and non-owners of a key decide. Idle state expires by a lifespan in real time, which the moved clock cannot
 * trigger, so the expiry cases are skipped here ({@code ExpiryTest} covers it). Subclasses say how many nodes and in
 * which cluster mode.
 */
abstract class InfinispanStoreContract extends UsageStoreContract {

    private static TestGrid grid;
    private static int stores;

    /** How many nodes the cluster has. */
    abstract int nodes();

    /** The store a case uses, made from the Infinispan store (exact mode: the store itself). */
    UsageStore inMode(InfinispanUsageStore store, Clock clock) {
        return store;
    }

    @AfterAll
    static void stopGrid() {
        if (grid != null) {
            grid.close();
            grid = null;
        }
    }

    @Override
    protected final UsageStore newStore(Clock clock) {
        if (grid == null) {
            grid = TestGrid.start(nodes());
        }
        InfinispanUsageStore store = grid.store(stores++ % nodes(), "contract", 5_000);
        store.stateCache().clear();
        return inMode(store, clock);
    }
}
