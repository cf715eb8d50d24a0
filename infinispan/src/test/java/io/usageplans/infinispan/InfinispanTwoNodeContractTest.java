package io.usageplans.infinispan;

/** Two nodes: every node owns every key (two owners), and the conditional write goes to the primary. */
class InfinispanTwoNodeContractTest extends InfinispanStoreContract {

    @Override
    int nodes() {
        return 2;
    }
}
