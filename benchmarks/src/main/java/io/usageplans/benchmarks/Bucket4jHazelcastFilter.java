package io.usageplans.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.grid.hazelcast.Bucket4jHazelcast;
import io.github.bucket4j.grid.hazelcast.HazelcastProxyManager;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The peer's exact clustered path, the baseline of the cluster modes: {@link HandWrittenBucket4jFilter}'s logic (key
 * from {@code x-api-key}, 403 for an unknown key, 429 when empty, {@code X-Rate-Limit-Remaining} on allowed requests)
 * on Bucket4j's own Hazelcast proxy, {@code Bucket4jHazelcast.entryProcessorBasedBuilder(map)}: one bucket per key in
 * the map {@value #MAP}, each decision one entry processor on the key's owner (and its synchronous backup, the map's
 * default backup count of 1), as our store does. Bucket4j's custom serializers are registered on every member
 * ({@link #registerSerializers(Config)}), as its documentation advises for Hazelcast. The bucket proxies of the known
 * keys are built once (a proxy is a local handle; it calls the cluster only when used).
 */
public final class Bucket4jHazelcastFilter implements Filter {

    /** The map of Bucket4j's buckets. */
    public static final String MAP = "bench-bucket4j";
    /** First type id of Bucket4j's serializers; ours (compact) do not use type ids. */
    public static final int SERIALIZER_TYPE_ID_BASE = 10_000;

    private static final byte[] FORBIDDEN = "{\"message\":\"Forbidden\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TOO_MANY = "{\"message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8);

    private final Map<String, BucketProxy> buckets = new HashMap<>();

    /** A bucket of {@code capacity} tokens refilled at {@code perSecond} per second for each key, in {@code member}'s cluster. */
    public Bucket4jHazelcastFilter(HazelcastInstance member, Collection<String> keys, long capacity, long perSecond) {
        HazelcastProxyManager<String> proxies = Bucket4jHazelcast.entryProcessorBasedBuilder(member.<String, byte[]>getMap(MAP)).build();
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build();
        for (String key : keys) {
            buckets.put(key, proxies.builder().build(key, () -> configuration));
        }
    }

    /** Registers Bucket4j's Hazelcast serializers on a member's configuration; every member of the cluster needs them. */
    public static Config registerSerializers(Config config) {
        HazelcastProxyManager.addCustomSerializers(config.getSerializationConfig(), SERIALIZER_TYPE_ID_BASE);
        return config;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String key = request.getHeader("x-api-key");
        BucketProxy bucket = key == null ? null : buckets.get(key);
        if (bucket == null) {
            write(response, 403, FORBIDDEN);
            return;
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            response.setHeader("X-Rate-Limit-Remaining", Long.toString(probe.getRemainingTokens()));
            chain.doFilter(request, response);
        } else {
            response.setHeader("X-Rate-Limit-Retry-After-Seconds",
                    Long.toString(Math.max(1, probe.getNanosToWaitForRefill() / 1_000_000_000L)));
            write(response, 429, TOO_MANY);
        }
    }

    private static void write(HttpServletResponse response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
