package io.usageplans.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What users write themselves instead of usage plans, after Bucket4j's documented servlet filter: one local bucket
 * (Bucket4j's default, lock-free) per known API key in a {@link ConcurrentHashMap}, the key from the
 * {@code x-api-key} header, 403 for an unknown key, 429 with {@code X-Rate-Limit-Retry-After-Seconds} when the bucket
 * is empty, and {@code X-Rate-Limit-Remaining} on allowed requests. No key hashing, no quota, no plans.
 */
public final class HandWrittenBucket4jFilter implements Filter {

    private static final byte[] FORBIDDEN = "{\"message\":\"Forbidden\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TOO_MANY = "{\"message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8);

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** A bucket of {@code capacity} tokens refilled at {@code perSecond} tokens per second for each key. */
    public HandWrittenBucket4jFilter(Collection<String> keys, long capacity, long perSecond) {
        Bandwidth limit = Bandwidth.builder().capacity(capacity).refillGreedy(perSecond, Duration.ofSeconds(1)).build();
        for (String key : keys) {
            buckets.put(key, Bucket.builder().addLimit(limit).build());
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String key = request.getHeader("x-api-key");
        Bucket bucket = key == null ? null : buckets.get(key);
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
