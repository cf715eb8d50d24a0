package io.usageplans.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.lease.ClusterSettings;
import io.usageplans.store.lease.LeasingUsageStore;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * {@code usageplans.store=redis}: the store from settings (init-param, system property or environment variable):
 * <ul>
 * <li>{@code usageplans.redis.uri}: {@code redis://[user:password@]host[:port][/database]}, or {@code rediss://} for
 *     TLS (default {@code redis://127.0.0.1:6379})</li>
 * <li>{@code usageplans.redis.cluster}: {@code true} for a Redis Cluster, whose nodes are found from the URI's host</li>
 * <li>{@code usageplans.redis.timeout} (ms a request waits for a connection and for the answer, default 500),
 *     {@code usageplans.redis.pool-size} (connections, default 32), {@code usageplans.redis.key-prefix} (default
 *     {@code usageplans})</li>
 * </ul>
 * A Redis that cannot be reached, or refuses the credentials, at start-up stops it with one message naming
 * {@code usageplans.redis.uri}. Lease mode is the default; {@code usageplans.cluster.mode=exact} decides every
 * request in Redis.
 */
public final class RedisStoreProvider implements UsageStoreProvider {

    static final String PREFIX = "usageplans.redis.";
    static final String URI_SETTING = PREFIX + "uri";
    private static final System.Logger LOG = System.getLogger(RedisStoreProvider.class.getName());

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader) {
        ClusterSettings cluster = ClusterSettings.fromSettings(settings); // a bad value fails before anything connects
        URI uri = uri(setting(settings, "uri", "redis://127.0.0.1:6379"));
        boolean redisCluster = bool(settings, "cluster");
        int timeout = (int) number(settings, "timeout", 500);
        int poolSize = (int) number(settings, "pool-size", 32);
        String keyPrefix = setting(settings, "key-prefix", "usageplans");
        if (keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new UsagePlansConfigException(PREFIX + "key-prefix", "must not contain braces, was '" + keyPrefix + "'");
        }
        String shown = masked(uri);
        if (redisCluster && JedisURIHelper.getDBIndex(uri) != 0) {
            throw new UsagePlansConfigException(URI_SETTING, "a Redis Cluster has only database 0; " + shown + " names database "
                    + JedisURIHelper.getDBIndex(uri));
        }
        UnifiedJedis client = connect(uri, redisCluster, timeout, poolSize, shown);
        LOG.log(System.Logger.Level.INFO, "usage-plans: Redis store at {0}{1}, cluster mode {2}", shown,
                redisCluster ? " (Redis Cluster)" : "", cluster.mode() == ClusterSettings.Mode.LEASE
                        ? "lease (settled every " + cluster.syncInterval().toMillis() + " ms)" : "exact");
        RedisUsageStore store = RedisUsageStore.builder(client).ownsClient(true).keyPrefix(keyPrefix).description(shown)
                .timeout(Duration.ofMillis(timeout))
                .usageReportDays(EngineBootstrap.reportDays(settings)).build();
        return LeasingUsageStore.forMode(store, cluster, clock);
    }

    /** A client of the server or cluster at {@code uri}, checked with a PING, or the setting's error. */
    static UnifiedJedis connect(URI uri, boolean redisCluster, int timeoutMillis, int poolSize, String shown) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis).socketTimeoutMillis(timeoutMillis)
                .user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri)).clientName("usage-plans")
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED) // two round trips fewer per new connection
                // RESP2 from the start: negotiating RESP3 (HELLO, then a fallback) would make a new connection to a
                // frozen Redis wait the timeout twice
                .protocol(RedisProtocol.RESP2);
        if (!redisCluster) {
            config.database(JedisURIHelper.getDBIndex(uri));
        }
        JedisClientConfig clientConfig = config.build();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(Duration.ofMillis(timeoutMillis)); // a request never waits for a connection longer than this
        pool.setJmxEnabled(false);
        HostAndPort address = JedisURIHelper.getHostAndPort(uri);
        UnifiedJedis client = null;
        try {
            if (redisCluster) {
                client = RedisClusterClient.builder().nodes(Set.of(address)).clientConfig(clientConfig).poolConfig(pool)
                        .maxAttempts(3).maxTotalRetriesDuration(Duration.ofMillis(timeoutMillis)).build();
            } else {
                client = RedisClient.builder().clientConfig(clientConfig)
                        .connectionProvider(new Connections(address, clientConfig, pool)).build();
            }
            client.ping();
            checkVersion(client, shown);
            return client;
        } catch (JedisAccessControlException e) {
            close(client);
            throw new UsagePlansConfigException(URI_SETTING, "Redis at " + shown + " refused the credentials (" + e.getMessage()
                    + "); put the user and password in the URI: redis://user:password@host:port");
        } catch (JedisException e) {
            close(client);
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS")) {
                throw new UsagePlansConfigException(URI_SETTING, "Redis at " + shown + " refused the credentials (" + message
                        + "); put the user and password in the URI: redis://user:password@host:port");
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UsagePlansConfigException(URI_SETTING, "cannot reach Redis at " + shown + " within " + timeoutMillis
                    + " ms: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage())
                    + (redisCluster ? " (usageplans.redis.cluster=true: is it a Redis Cluster?)" : ""));
        }
    }

    /** Redis 6 or later: scripts replicate their effects, so a script may read TIME before it writes. */
    private static void checkVersion(UnifiedJedis client, String shown) {
        String info;
        try {
            info = client.info("server");
        } catch (JedisException e) {
            return; // a proxy or managed service that hides INFO: the first script tells
        }
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                String version = line.substring("redis_version:".length()).trim();
                try {
                    if (Integer.parseInt(version.split("\\.")[0]) < 6) {
                        throw new UsagePlansConfigException(URI_SETTING, "Redis at " + shown + " is version " + version
                                + "; usage-plans needs Redis 6 or later");
                    }
                } catch (NumberFormatException e) {
                    return;
                }
            }
        }
    }

    private static void close(UnifiedJedis client) {
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    static URI uri(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new UsagePlansConfigException(URI_SETTING, "is not a URI: " + e.getMessage()
                    + "; use redis://[user:password@]host[:port][/database] or rediss://... for TLS");
        }
        if (!JedisURIHelper.isValid(uri) || !(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri))) {
            throw new UsagePlansConfigException(URI_SETTING, "must be redis://[user:password@]host[:port][/database] or "
                    + "rediss://... for TLS, was '" + masked(uri) + "'");
        }
        try {
            JedisURIHelper.getDBIndex(uri);
        } catch (RuntimeException e) {
            throw new UsagePlansConfigException(URI_SETTING, "the database after the port must be a number, was '" + masked(uri) + "'");
        }
        return uri;
    }

    /** The URI without its password, for messages and logs. */
    static String masked(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null) {
            return uri.toString();
        }
        int colon = info.indexOf(':');
        String user = colon < 0 ? "" : info.substring(0, colon);
        String shown = user + ":***";
        return uri.toString().replace(info + "@", shown + "@");
    }

    private static String setting(UnaryOperator<String> settings, String name, String fallback) {
        String value = settings.apply(PREFIX + name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static boolean bool(UnaryOperator<String> settings, String name) {
        String value = setting(settings, name, "false").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new UsagePlansConfigException(PREFIX + name, "must be true or false, was '" + value + "'");
        };
    }

    private static long number(UnaryOperator<String> settings, String name, long fallback) {
        String value = setting(settings, name, Long.toString(fallback));
        try {
            long parsed = Long.parseLong(value);
            if (parsed <= 0 || parsed > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsagePlansConfigException(PREFIX + name, "must be a positive whole number, was '" + value + "'");
        }
    }
}
