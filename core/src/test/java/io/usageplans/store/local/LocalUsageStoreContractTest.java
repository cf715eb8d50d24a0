package io.usageplans.store.local;

import java.time.Clock;
import java.time.Duration;

import io.usageplans.spi.UsageStore;
import io.usageplans.testing.UsageStoreContract;

/** The local store keeps every store rule; it evicts idle state when asked (no sweeper thread in the test). */
class LocalUsageStoreContractTest extends UsageStoreContract {

    @Override
    protected UsageStore newStore(Clock clock) {
        return LocalUsageStore.create(clock, Duration.ZERO);
    }

    @Override
    protected int expireIdleState() {
        return ((LocalUsageStore) store).evictIdle();
    }
}
