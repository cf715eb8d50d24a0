package io.usageplans.infinispan;

import java.time.Clock;

import io.usageplans.spi.UsageStore;
import io.usageplans.testing.UsageStoreContract;
import org.junit.jupiter.api.AfterAll;

/**
 * The Infinispan store keeps every store rule, on a real cluster over loopback (JGroups TCP, a static member list, a
 * unique cluster name; two nodes are shared with other test classes), on one distributed state cache emptied before each case, alternating nodes so that owners
 * and non-owners of a key decide. Idle state expires by a lifespan in real time, which the moved clock cannot
 * trigger, so the expiry cases are skipped here ({@code ExpiryTest} covers it). Subclasses say how many nodes and in
 * which cluster mode.
 */
abstract class InfinispanStoreContract extends UsageStoreContract {

    private static int stores;

    /** How many nodes the cluster has. */
    abstract int nodes();

    /** The store a case uses, made from the Infinispan store (exact mode: the store itself). */
    UsageStore inMode(InfinispanUsageStore store, Clock clock) {
        return store;
    }

    private TestGrid grid;
    private static TestGrid ownGrid;

    @AfterAll
    static void stopOwnGrid() {
        if (ownGrid != null) {
            ownGrid.close();
            ownGrid = null;
        }
    }

    @Override
    protected final UsageStore newStore(Clock clock) {
        if (nodes() == 2) {
            grid = TestGrid.shared();
        } else {
            if (ownGrid == null) {
                ownGrid = TestGrid.start(nodes());
            }
            grid = ownGrid;
        }
        InfinispanUsageStore store = grid.store(stores++ % nodes(), "contract-" + getClass().getSimpleName(), 5_000);
        store.stateCache().clear();
        return inMode(store, clock);
    }
}
