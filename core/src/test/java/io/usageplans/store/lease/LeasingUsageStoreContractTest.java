package io.usageplans.store.lease;

import java.time.Clock;
import java.time.Duration;

import io.usageplans.spi.UsageStore;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.UsageStoreContract;

/**
 * Lease mode keeps every store rule while no allowance is out: decisions, refunds, quota reads and updates, history
 * and expiry go to the store it wraps unchanged. It settles only when a test says so, which no contract case does;
 * the rules of allowances themselves are {@link LeasingUsageStoreTest}'s.
 */
class LeasingUsageStoreContractTest extends UsageStoreContract {

    @Override
    protected UsageStore newStore(Clock clock) {
        return new LeasingUsageStore(LocalUsageStore.create(clock, Duration.ZERO), clock, Duration.ofMillis(100), false);
    }

    @Override
    protected int expireIdleState() {
        return store.unwrap(LocalUsageStore.class).orElseThrow().evictIdle();
    }
}
