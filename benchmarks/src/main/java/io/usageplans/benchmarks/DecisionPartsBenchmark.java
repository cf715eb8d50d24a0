package io.usageplans.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.usageplans.ApiKey;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The parts of one decision for one hot key, one thread, to see where the time and the bytes of
 * {@link DecideBenchmark} go, and what the servlet filter adds on top (the two RateLimit header values). Also what
 * users write themselves: a Bucket4j bucket per key in a {@link ConcurrentHashMap}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Threads(1)
@State(Scope.Thread)
public class DecisionPartsBenchmark {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Clock clock = Clock.systemUTC();
    private LocalUsageStore store;
    private UsagePlans engine;
    private LocalUsageStore bareStore;
    private BucketSpec planSpec;
    private String key;
    private String stateKey;
    private ConcurrentHashMap<String, Bucket> userBuckets;

    @Setup(Level.Trial)
    public void setUp() {
        key = BenchCatalogs.keyValue(0);
        store = LocalUsageStore.create(clock, Duration.ZERO);
        engine = UsagePlans.builder(BenchCatalogs.catalog(1, BenchCatalogs.QuotaMode.NONE)).stage(BenchCatalogs.STAGE)
                .store(store).build();
        if (engine.decide(key, "GET", "/pets").outcome() != Decision.Outcome.ALLOWED) {
            throw new IllegalStateException("setup: the key is not allowed");
        }
        bareStore = LocalUsageStore.create(clock, Duration.ZERO);
        planSpec = new BucketSpec("plan", BenchCatalogs.AMPLE, NANOS_PER_SECOND);
        stateKey = "k0|" + BenchCatalogs.PLAN;
        userBuckets = new ConcurrentHashMap<>();
        userBuckets.put(key, Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(BenchCatalogs.AMPLE).refillGreedy(BenchCatalogs.AMPLE, Duration.ofSeconds(1)).build())
                .build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        store.close();
        bareStore.close();
    }

    /** The whole decision ({@link DecideBenchmark} with one key, here for reference). */
    @Benchmark
    public Decision decide() {
        return engine.decide(key, "GET", "/pets");
    }

    /** The decision plus the two header values the filter sets on every metered response. */
    @Benchmark
    public void decideAndHeaders(Blackhole bh) {
        Decision d = engine.decide(key, "GET", "/pets");
        bh.consume(d.rateLimitPolicy());
        bh.consume(d.rateLimit());
    }

    /** The key's shape check and its SHA-256 (the key registry is looked up by hash). */
    @Benchmark
    public byte[] keyCheckAndSha256() {
        if (ApiKey.problemWithValue(key) != null) {
            throw new IllegalStateException();
        }
        return ApiKey.sha256(key);
    }

    /** The engine's reading of the clock, as epoch nanoseconds. */
    @Benchmark
    public long clockNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
    }

    /** The store alone: map lookup, lock, one Bucket4j bucket, the {@link Consumption}. */
    @Benchmark
    public Consumption storeTryConsume() {
        Instant now = clock.instant();
        return bareStore.tryConsume(new MeteringRequest(stateKey, planSpec, null, null,
                now.getEpochSecond() * NANOS_PER_SECOND + now.getNano()));
    }

    /**
     * What users write themselves (Bucket4j's documented filter): a default (lock-free) local bucket per key in a
     * map, {@code tryConsumeAndReturnRemaining(1)}, and the remaining tokens as a header value.
     */
    @Benchmark
    public String handWrittenBucket4j() {
        ConsumptionProbe probe = userBuckets.get(key).tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new IllegalStateException("the bucket ran dry");
        }
        return Long.toString(probe.getRemainingTokens());
    }
}
