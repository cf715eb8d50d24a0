package io.usageplans.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.StoreSetting;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testsupport.FreePorts;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

/** Switching to Redis is a configuration change: usageplans.store=redis and usageplans.redis.uri. */
class StoreFromSettingsTest {

    private static UsageStore create(Map<String, String> settings) {
        return new RedisStoreProvider().create(settings::get, Clock.systemUTC(), StoreFromSettingsTest.class.getClassLoader());
    }

    @Test
    void theRedisStoreIsFoundByNameAndRunsInLeaseModeByDefault() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> settings = Map.of("usageplans.store", "redis", "usageplans.redis.uri", redis.uri());
            UsageStoreProvider provider = StoreSetting.provider(settings::get, getClass().getClassLoader()).orElseThrow();
            assertEquals("redis", provider.name());
            UsageStore store = provider.create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
            try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").ownedStore(store).build()) {
                assertTrue(store instanceof LeasingUsageStore, "lease mode is the default");
                assertEquals("redis, lease mode every 100 ms", store.kind());
                for (int i = 0; i < 10; i++) {
                    assertEquals(Outcome.ALLOWED, engine.decide(RedisStoreTest.BASIC, "GET", "/pets").outcome());
                }
                assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide(RedisStoreTest.BASIC, "GET", "/pets").outcome());
            }
        }
    }

    @Test
    void exactModeFromSettingsIsTheRedisStoreItselfOnTheDatabaseOfTheUri() {
        try (RedisServer redis = RedisServer.start()) {
            try (UsageStore store = create(Map.of("usageplans.redis.uri", redis.uri() + "/3", "usageplans.cluster.mode", "exact",
                    "usageplans.redis.key-prefix", "shop"))) {
                assertTrue(store instanceof RedisUsageStore);
                assertEquals("redis", store.kind());
                try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").store(store).build()) {
                    assertEquals(Outcome.ALLOWED, engine.decide(RedisStoreTest.BASIC, "GET", "/pets").outcome());
                }
                redis.clients.jedis.UnifiedJedis db3 = RedisStoreProvider.connect(java.net.URI.create(redis.uri() + "/3"), false,
                        2000, 2, redis.uri());
                assertFalse(db3.keys("shop:{*").isEmpty(), "state in database 3 under the prefix");
                db3.close();
            }
        }
    }

    @Test
    void aWrongPasswordStopsStartUpWithOneMessageNamingTheUriSettingWithoutThePassword() {
        try (RedisServer redis = RedisServer.start("--requirepass", "s3cret-pass")) {
            String uri = "redis://:wrong-pass@127.0.0.1:" + redis.port();
            UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                    () -> create(Map.of("usageplans.redis.uri", uri)));

            assertTrue(e.getMessage().startsWith("usage-plans: usageplans.redis.uri: Redis at redis://:***@127.0.0.1:" + redis.port()
                    + " refused the credentials ("), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-pass"), "the password is not shown: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());

            UsagePlansConfigException none = assertThrows(UsagePlansConfigException.class,
                    () -> create(Map.of("usageplans.redis.uri", redis.uri())));
            assertTrue(none.getMessage().contains("refused the credentials (NOAUTH"), none.getMessage());

            try (UsageStore store = create(Map.of("usageplans.redis.uri", "redis://:s3cret-pass@127.0.0.1:" + redis.port()))) {
                assertEquals(Outcome.ALLOWED, UsagePlans.builder(RedisStoreTest.catalog()).stage("test").store(store).build()
                        .decide(RedisStoreTest.BASIC, "GET", "/pets").outcome(), "the right password works");
            }
        }
    }

    @Test
    void anUnreachableUriStopsStartUpWithOneMessageNamingTheSetting() {
        int port = FreePorts.loopback(); // nothing listens there
        long start = System.nanoTime();
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> create(Map.of("usageplans.redis.uri", "redis://127.0.0.1:" + port, "usageplans.redis.timeout", "400")));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(e.getMessage().startsWith("usage-plans: usageplans.redis.uri: cannot reach Redis at redis://127.0.0.1:" + port
                + " within 400 ms: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(millis < 5000, "start-up gave up at once: " + millis + " ms");
    }

    @Test
    void badSettingsFailStartUpNamingTheSettingBeforeAnythingConnects() {
        Map<String, String> cases = new HashMap<>();
        cases.put("usageplans.redis.uri=http://127.0.0.1:6379",
                "usage-plans: usageplans.redis.uri: must be redis://[user:password@]host[:port][/database] or rediss://... for TLS, "
                        + "was 'http://127.0.0.1:6379'");
        cases.put("usageplans.redis.timeout=0", "usage-plans: usageplans.redis.timeout: must be a positive whole number, was '0'");
        cases.put("usageplans.redis.cluster=yes", "usage-plans: usageplans.redis.cluster: must be true or false, was 'yes'");
        cases.put("usageplans.cluster.mode=eventual",
                "usage-plans: usageplans.cluster.mode: unknown cluster mode 'eventual'; use lease (the default) or exact");
        cases.forEach((setting, message) -> {
            String[] pair = setting.split("=", 2);
            UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> create(Map.of(pair[0], pair[1])));
            assertEquals(message, e.getMessage(), setting);
        });
    }
}
