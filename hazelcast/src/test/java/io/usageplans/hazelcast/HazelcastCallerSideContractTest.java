package io.usageplans.hazelcast;

/** Decisions on the caller with compare-and-set ({@code decideOnCaller(true)}), for members without this jar. */
class HazelcastCallerSideContractTest extends HazelcastStoreContract {

    @Override
    boolean decideOnCaller() {
        return true;
    }
}
