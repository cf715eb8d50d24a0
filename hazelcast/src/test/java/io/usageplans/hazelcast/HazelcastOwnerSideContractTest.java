package io.usageplans.hazelcast;

/** Decisions as entry processors on the partition owner, the default. */
class HazelcastOwnerSideContractTest extends HazelcastStoreContract {

    @Override
    boolean decideOnCaller() {
        return false;
    }
}
