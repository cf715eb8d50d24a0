package io.usageplans.redis;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.RedisServer;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * A Redis Cluster of three masters, each a real redis-server on a free loopback port, joined by
 * {@code redis-cli --cluster create ... --cluster-replicas 0}; closed with its servers.
 */
final class TestRedisCluster implements AutoCloseable {

    final List<RedisServer> nodes = new ArrayList<>();

    static TestRedisCluster start() {
        TestRedisCluster cluster = new TestRedisCluster();
        try {
            for (int i = 0; i < 3; i++) {
                cluster.nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000"));
            }
            List<String> command = new ArrayList<>(List.of(RedisServer.executable().replace("redis-server", "redis-cli"),
                    "--cluster", "create"));
            cluster.nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
            command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes());
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
            for (RedisServer node : cluster.nodes) {
                try (UnifiedJedis probe = RedisStoreProvider.connect(URI.create(node.uri()), false, 2000, 1, node.uri())) {
                    Await.until(() -> new String((byte[]) probe.sendCommand(Protocol.Command.CLUSTER, "INFO"))
                            .contains("cluster_state:ok"), Duration.ofSeconds(30), "node " + node.port() + " to be ok");
                }
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new IllegalStateException(e);
        }
    }

    /** The first node's URI: the client finds the others from it. */
    String uri() {
        return nodes.get(0).uri();
    }

    UnifiedJedis client(int timeoutMillis) {
        return RedisStoreProvider.connect(URI.create(uri()), true, timeoutMillis, 8, uri());
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
