package io.usageplans.redis;

import java.util.Map;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * The connections to one Redis server, pooled as Jedis pools them, except that a connection that broke is not
 * replaced at once on the thread that saw it break: commons-pool 2.13 opens the replacement inside
 * {@code invalidateObject}, so a request thread that waited the timeout for a frozen Redis would wait once more for the
 * new connection's handshake. Here the next request that needs a connection opens one, within its own wait.
 */
final class Connections implements ConnectionProvider {

    private final HostAndPort address;
    private final ConnectionPool pool;

    Connections(HostAndPort address, JedisClientConfig config, GenericObjectPoolConfig<Connection> poolConfig) {
        this.address = address;
        this.pool = new ConnectionPool(address, config, poolConfig) {
            @Override
            public void addObject() {
                // only invalidateObject calls it (minIdle is 0): no replacement on the thread of a failed call
            }
        };
    }

    @Override
    public Connection getConnection() {
        return pool.getResource();
    }

    @Override
    public Connection getConnection(CommandArguments arguments) {
        return pool.getResource();
    }

    @Override
    public Map<?, ?> getConnectionMap() {
        return Map.of(address, pool);
    }

    @Override
    public Map<?, ?> getPrimaryNodesConnectionMap() {
        return Map.of(address, pool);
    }

    @Override
    public void close() {
        pool.close();
    }
}
