package io.usageplans.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.spi.StoreHealth;
import io.usageplans.spi.UsageStore;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * What the readiness check ({@code usage-plans-microprofile}) reads from the Redis store: answering while Redis runs,
 * not answering soon after it stops, answering again once it is back, without a restart of the application.
 */
class RedisHealthTest {

    @Test
    void healthFollowsRedisGoingAwayAndComingBack() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> settings = Map.of("usageplans.store", "redis", "usageplans.redis.uri", redis.uri(),
                    "usageplans.redis.timeout", "300");
            UsageStore store = new RedisStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
            try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").ownedStore(store).build()) {
                assertEquals(new StoreHealth(true, 1, ""), engine.store().health());

                redis.stop();
                Await.until(() -> !engine.store().health().answering(), Duration.ofSeconds(5), "health to say Redis is away");
                StoreHealth away = engine.store().health();
                assertEquals(0, away.membersSeen());
                assertTrue(away.detail().contains("does not answer"), away.detail());

                redis.restart();
                Await.until(() -> engine.store().health().answering(), Duration.ofSeconds(10), "health to say Redis is back");
            }
        }
    }

    @Test
    void aStoreWithoutTheSharedCatalogAsksRedisItself() {
        try (RedisServer redis = RedisServer.start()) {
            try (redis.clients.jedis.UnifiedJedis client = TestRedis.client(redis, 300)) {
                RedisUsageStore store = RedisUsageStore.builder(client).shareKeys(false).build();
                assertTrue(store.health().answering());
                redis.stop();
                StoreHealth away = store.health();
                assertEquals(false, away.answering());
                assertTrue(away.detail().startsWith("Redis at "), away.detail());
            }
        }
    }
}
