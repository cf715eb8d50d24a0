package io.usageplans.redis;

import java.time.Clock;
import java.time.Duration;

import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;

/**
 * Lease mode (the default cluster mode) keeps every store rule while no allowance is out: the wrapper hands decisions,
 * refunds, quota reads and updates and history to the Redis store unchanged, and the allowance cases settle on it.
 */
class RedisLeaseModeContractTest extends RedisStoreContract {

    @Override
    UsageStore inMode(RedisUsageStore store, Clock clock) {
        return new LeasingUsageStore(store, clock, Duration.ofMillis(100), false);
    }
}
