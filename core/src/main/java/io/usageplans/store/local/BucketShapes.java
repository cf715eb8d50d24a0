package io.usageplans.store.local;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.MathType;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.usageplans.spi.BucketSpec;

/**
 * One Bucket4j configuration per throttle shape (capacity and refill), shared by every key's bucket state of that
 * shape: a configuration is immutable, and a million keys on one plan need it once, not a million times.
 */
final class BucketShapes {

    private final ConcurrentHashMap<BucketSpec, BucketConfiguration> configurations = new ConcurrentHashMap<>();

    /** A full bucket of {@code spec}'s shape, greedy refill, as of {@code nowNanos}. */
    BucketState newFullBucket(BucketSpec spec, long nowNanos) {
        BucketConfiguration configuration = configurations.computeIfAbsent(spec, BucketShapes::configuration);
        return BucketState.createInitialState(configuration, MathType.INTEGER_64_BITS, nowNanos);
    }

    /**
     * {@code bucket} given {@code spec}'s shape at {@code nowNanos} (the catalog changed the throttle): refilled at its
     * old rate until now, then a lower burst caps its tokens and a higher one adds the difference
     * ({@link TokensInheritanceStrategy#ADDITIVE}); the new rate applies from now on.
     */
    BucketState reshaped(BucketState bucket, BucketSpec spec, long nowNanos) {
        bucket.refillAllBandwidth(nowNanos);
        BucketConfiguration configuration = configurations.computeIfAbsent(spec, BucketShapes::configuration);
        return bucket.replaceConfiguration(configuration, TokensInheritanceStrategy.ADDITIVE, nowNanos);
    }

    private static BucketConfiguration configuration(BucketSpec spec) {
        Bandwidth bandwidth = Bandwidth.builder()
                .capacity(spec.capacity())
                .refillGreedy(spec.capacity(), Duration.ofNanos(spec.nanosToFill()))
                .initialTokens(spec.capacity())
                .build();
        return BucketConfiguration.builder().addLimit(bandwidth).build();
    }
}
