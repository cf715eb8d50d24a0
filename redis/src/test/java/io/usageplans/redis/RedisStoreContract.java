package io.usageplans.redis;

import java.time.Clock;
import java.util.UUID;

import io.usageplans.spi.UsageStore;
import io.usageplans.testing.UsageStoreContract;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Redis store keeps every store rule, on a real redis-server over loopback, each case under a key prefix of its
 * own. The cases move a clock, so the script takes each request's time instead of Redis's ({@code serverTime(false)});
 * idle state expires by a Redis TTL in real time, which the moved clock cannot trigger, so the expiry cases are
 * skipped here and run in real time in {@link RedisStoreTest}. Subclasses say in which cluster mode.
 */
abstract class RedisStoreContract extends UsageStoreContract {

    private static RedisServer server;
    private static UnifiedJedis client;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = TestRedis.client(server, 5000);
    }

    @AfterAll
    static void stopRedis() {
        client.close();
        server.close();
    }

    /** The store a case uses, made from the Redis store (exact mode: the store itself). */
    UsageStore inMode(RedisUsageStore store, Clock clock) {
        return store;
    }

    @Override
    protected final UsageStore newStore(Clock clock) {
        return inMode(RedisUsageStore.builder(client).keyPrefix("contract-" + UUID.randomUUID()).serverTime(false).build(), clock);
    }
}
