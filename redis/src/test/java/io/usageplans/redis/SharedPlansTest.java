package io.usageplans.redis;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.testing.SharedPlansContract;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.UnifiedJedis;

/**
 * The plans shared by the instances on one real {@code redis-server}: each engine with a client of its own, on a key
 * prefix of the test's own, polling every 250 ms (the default).
 */
class SharedPlansTest extends SharedPlansContract {

    private static RedisServer server;
    private static UnifiedJedis client;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = TestRedis.client(server, 2000);
    }

    @AfterAll
    static void stopRedis() {
        client.close();
        server.close();
    }

    @Override
    protected String storeName() {
        return "redis";
    }

    @Override
    protected Grid grid() {
        String prefix = "plans-" + UUID.randomUUID();
        String document = prefix + ":{keys}:plans";
        List<RedisUsageStore> stores = new ArrayList<>();
        return new Grid() {
            @Override
            public UsagePlans start(Catalog planFile, Clock clock) {
                RedisUsageStore store = RedisUsageStore.builder(TestRedis.client(server, 2000)).keyPrefix(prefix).ownsClient(true)
                        .build();
                stores.add(store);
                return UsagePlans.builder(planFile).stage("test").clock(clock).store(store).build();
            }

            @Override
            public String document() {
                return client.get(document);
            }

            @Override
            public void write(String text) {
                client.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])",
                        List.of(document, prefix + ":{keys}:v"), List.of(text));
            }

            @Override
            public void close() {
                stores.forEach(RedisUsageStore::close);
            }
        };
    }
}
