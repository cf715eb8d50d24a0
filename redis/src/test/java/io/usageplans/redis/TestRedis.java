package io.usageplans.redis;

import java.net.URI;

import io.usageplans.testsupport.RedisServer;
import redis.clients.jedis.UnifiedJedis;

/** A client of a test's own {@link RedisServer}, as the provider makes it (timeouts of {@code timeoutMillis}). */
final class TestRedis {

    private TestRedis() {
    }

    static UnifiedJedis client(RedisServer server, int timeoutMillis) {
        return RedisStoreProvider.connect(URI.create(server.uri()), false, timeoutMillis, 16, server.uri());
    }
}
