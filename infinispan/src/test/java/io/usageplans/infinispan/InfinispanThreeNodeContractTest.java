package io.usageplans.infinispan;

/** Three nodes: a third of the decisions run on a node that holds no copy of the key and reads it remotely. */
class InfinispanThreeNodeContractTest extends InfinispanStoreContract {

    @Override
    int nodes() {
        return 3;
    }
}
