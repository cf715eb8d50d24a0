package io.usageplans.hazelcast;

import java.time.Clock;
import java.time.Duration;

import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;

/**
 * Lease mode (the default cluster mode) keeps every store rule while no allowance is out: the wrapper hands decisions,
 * refunds, quota reads and updates and history to the store unchanged. It settles only when a test says so, which no
 * contract case does; the rules of allowances themselves are LeaseModeTest's.
 */
class HazelcastLeaseModeContractTest extends HazelcastStoreContract {

    @Override
    boolean decideOnCaller() {
        return false;
    }

    @Override
    UsageStore inMode(HazelcastUsageStore store, Clock clock) {
        return new LeasingUsageStore(store, clock, Duration.ofMillis(100), false);
    }
}
