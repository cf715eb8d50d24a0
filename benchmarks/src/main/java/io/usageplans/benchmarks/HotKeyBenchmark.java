package io.usageplans.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
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

/**
 * One hot key called by two threads at once: our decision (a monitor per key around the key's buckets) against what
 * users write themselves (one lock-free Bucket4j bucket per key). Compare with the one-thread figures of
 * {@link DecisionPartsBenchmark}: with no contention, two threads on two cores would each keep their one-thread time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Threads(2)
@State(Scope.Benchmark)
public class HotKeyBenchmark {

    private LocalUsageStore store;
    private UsagePlans engine;
    private String key;
    private ConcurrentHashMap<String, Bucket> userBuckets;

    @Setup(Level.Trial)
    public void setUp() {
        key = BenchCatalogs.keyValue(0);
        store = LocalUsageStore.create(Clock.systemUTC(), Duration.ZERO);
        engine = UsagePlans.builder(BenchCatalogs.catalog(1, BenchCatalogs.QuotaMode.NONE)).stage(BenchCatalogs.STAGE)
                .store(store).build();
        userBuckets = new ConcurrentHashMap<>();
        userBuckets.put(key, Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(BenchCatalogs.AMPLE).refillGreedy(BenchCatalogs.AMPLE, Duration.ofSeconds(1)).build())
                .build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (engine.decide(key, "GET", "/pets").outcome() != Decision.Outcome.ALLOWED) {
            throw new IllegalStateException("the hot key ran dry");
        }
        engine.close();
        store.close();
    }

    @Benchmark
    public Decision ours() {
        return engine.decide(key, "GET", "/pets");
    }

    @Benchmark
    public String handWrittenBucket4j() {
        ConsumptionProbe probe = userBuckets.get(key).tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new IllegalStateException("the bucket ran dry");
        }
        return Long.toString(probe.getRemainingTokens());
    }
}
