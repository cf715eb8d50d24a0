package io.usageplans.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@link UsagePlans#decide} with the default local store, as the servlet filter calls it: key check, SHA-256 and
 * key lookup, route lookup, throttle (and quota), and the {@link Decision}. Every key was decided once in setup,
 * so the benchmark measures the allowed path of an existing key. With many keys each call takes the next key of
 * a shuffled order, so consecutive calls touch unrelated memory, as real traffic from many callers does; at 2
 * threads the threads start half the keys apart. With one key, both threads hit the same key (a hot key).
 *
 * <p>The store is the default {@link LocalUsageStore} on the system clock, without its once-a-minute sweeper: the
 * plan's bucket is full again a nanosecond after each request, so a sweep would evict every key in the middle of
 * a measurement and the next iterations would measure re-creating state instead of the steady state.
 *
 * <p>The heap is touched at start-up ({@code -XX:+AlwaysPreTouch}): on the virtual machines this was written on, the
 * first touch of a heap page costs microseconds, and without it a large young generation made every decision up
 * to ten times slower for as long as the collector kept handing out never-touched regions.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DecideBenchmark -prof gc}.
 */
// The same decision with the Hazelcast store (two members on loopback, member and client callers): HazelcastDecideBenchmark.
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class DecideBenchmark {

    @State(Scope.Benchmark)
    public static class Engine {
        @Param({"1", "10000", "1000000"})
        int keys;

        @Param({"none", "huge"})
        String quota;

        LocalUsageStore store;
        UsagePlans engine;
        String[] presented;

        @Setup(Level.Trial)
        public void setUp() {
            store = LocalUsageStore.create(Clock.systemUTC(), Duration.ZERO);
            engine = UsagePlans.builder(BenchCatalogs.catalog(keys, BenchCatalogs.QuotaMode.of(quota)))
                    .stage(BenchCatalogs.STAGE).store(store).build();
            presented = BenchCatalogs.keyValues(keys);
            for (String key : presented) { // every key has state in the store: the benchmark measures existing keys
                Decision d = engine.decide(key, "GET", "/pets");
                if (d.outcome() != Decision.Outcome.ALLOWED) {
                    throw new IllegalStateException("setup: expected ALLOWED, got " + d);
                }
            }
            Random random = new Random(42); // shuffled, so that consecutive calls touch unrelated memory
            for (int i = presented.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                String t = presented[i];
                presented[i] = presented[j];
                presented[j] = t;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Decision d = engine.decide(presented[0], "GET", "/pets");
            if (d.outcome() != Decision.Outcome.ALLOWED) { // the throttle must never have run dry
                throw new IllegalStateException("teardown: expected ALLOWED, got " + d);
            }
            engine.close();
            store.close();
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void setUp(Engine e, ThreadParams thread) {
            next = (int) ((long) e.presented.length * thread.getThreadIndex() / thread.getThreadCount());
        }
    }

    @Benchmark
    @Threads(1)
    public Decision oneThread(Engine e, Cursor c) {
        return decide(e, c);
    }

    @Benchmark
    @Threads(2)
    public Decision twoThreads(Engine e, Cursor c) {
        return decide(e, c);
    }

    private static Decision decide(Engine e, Cursor c) {
        String[] keys = e.presented;
        int i = c.next;
        c.next = i + 1 == keys.length ? 0 : i + 1;
        return e.engine.decide(keys[i], "GET", "/pets");
    }
}
