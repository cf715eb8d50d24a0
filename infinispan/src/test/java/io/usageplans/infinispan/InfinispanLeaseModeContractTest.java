package io.usageplans.infinispan;

import java.time.Clock;
import java.time.Duration;

import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;

/**
 * Lease mode (the default cluster mode) keeps every store rule on two Infinispan nodes while no allowance is out: the
 * wrapper hands decisions, refunds, quota reads and updates and history to the store unchanged. The rules of
 * allowances themselves are {@code LeaseModeTest}'s.
 */
class InfinispanLeaseModeContractTest extends InfinispanStoreContract {

    @Override
    int nodes() {
        return 2;
    }

    @Override
    UsageStore inMode(InfinispanUsageStore store, Clock clock) {
        return new LeasingUsageStore(store, clock, Duration.ofMillis(100), false);
    }
}
