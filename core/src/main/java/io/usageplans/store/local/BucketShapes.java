package io.usageplans.store.local;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.MathType;
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

    private static BucketConfiguration configuration(BucketSpec spec) {
        Bandwidth bandwidth = Bandwidth.builder()
                .capacity(spec.capacity())
                .refillGreedy(spec.capacity(), Duration.ofNanos(spec.nanosToFill()))
                .initialTokens(spec.capacity())
                .build();
        return BucketConfiguration.builder().addLimit(bandwidth).build();
    }
}
