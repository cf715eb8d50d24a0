package io.usageplans.redis;

/** Exact mode: one script call per decision. */
class RedisExactModeContractTest extends RedisStoreContract {
}
