package io.usageplans.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.hazelcast.HazelcastUsageStore;
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
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@link UsagePlans#decide} with the {@link HazelcastUsageStore}, on a cluster of two members on loopback started in
 * the benchmark's JVM (multicast off, TCP-IP join on 127.0.0.1 from port {@code -Dbench.hazelcastPort}, default
 * 5960, and a cluster name unique to the trial; see {@link BenchCluster}). The plan and keys are those of
 * {@link DecideBenchmark} (throttle 10^9/s, no quota, so every call is the allowed path of an existing key, which
 * writes the entry and so also its synchronous backup), with {@code keys} candidate keys, each decided once in
 * setup. {@code from}:
 * <ul>
 *   <li>{@code member-remote}: the engine runs on member 1, with only the keys whose partition member 2 owns (about
 *       half): the entry processor runs on member 2, member 1 (the backup) receives the backup;</li>
 *   <li>{@code member-local}: the engine runs on member 1, with only the keys member 1 owns: the entry processor
 *       runs in this thread's member, and the call still waits for the backup's acknowledgement from member 2;</li>
 *   <li>{@code client}: the engine runs on a (smart) Hazelcast client connected to both members, with every key:
 *       the client sends each call to the key's owner.</li>
 * </ul>
 * At setup, the members' map statistics ({@code LocalMapStats} operation counts) are read before and after 1,000
 * decisions and printed ("hazelcast round trips: ..."): one decision is one operation on the cluster.
 * {@code floorMapSet} is the control: a plain {@code IMap.set} from the same caller to the same owners.
 * Members and client are terminated in {@link Engine#tearDown()}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HazelcastDecideBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Timeout(time = 60)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=jdk", "-Dhazelcast.logging.level=WARNING"})
public class HazelcastDecideBenchmark {

    /** Decisions whose map operations are counted at setup. */
    static final int COUNTED = 1_000;

    @State(Scope.Benchmark)
    public static class Engine {
        @Param({"member-remote", "member-local", "client"})
        String from;

        @Param({"1000"})
        int keys;

        final List<HazelcastInstance> members = new ArrayList<>();
        HazelcastInstance client;
        HazelcastUsageStore store;
        UsagePlans engine;
        String[] presented;
        /** The store's map keys of {@link #presented} ({@code "k<i>|bench"}), in the same order: the floor's keys. */
        String[] stateKeys;
        /** A plain map for the floor: {@code IMap.set} of a {@code Long}, same keys, so the same owners. */
        IMap<String, Long> floor;

        @Setup(Level.Trial)
        public void setUp() {
            String name = "usage-plans-bench-" + UUID.randomUUID();
            int port = Integer.getInteger("bench.hazelcastPort", 5960);
            try {
                members.add(BenchCluster.member(name, port));
                members.add(BenchCluster.member(name, port));
                for (HazelcastInstance m : members) {
                    BenchCluster.awaitMembers(m, 2, 60);
                }
                HazelcastInstance caller = members.get(0);
                if (from.equals("client")) {
                    client = BenchCluster.client(name, port);
                    BenchCluster.awaitMembers(client, 2, 60);
                    caller = client;
                } else if (!from.equals("member-remote") && !from.equals("member-local")) {
                    throw new IllegalArgumentException("from: member-remote, member-local or client, was " + from);
                }
                store = HazelcastUsageStore.builder(caller).timeout(Duration.ofSeconds(5)).shareKeys(false).build();
                engine = UsagePlans.builder(BenchCatalogs.catalog(keys, BenchCatalogs.QuotaMode.NONE))
                        .stage(BenchCatalogs.STAGE).store(store).build();
                String[] all = BenchCatalogs.keyValues(keys);
                for (String key : all) { // every key has its entry in the cluster: the benchmark measures existing keys
                    check(engine.decide(key, "GET", "/pets"), "setup");
                }
                List<String> chosen = new ArrayList<>();
                List<String> chosenStateKeys = new ArrayList<>();
                Member self = members.get(0).getCluster().getLocalMember();
                for (int i = 0; i < keys; i++) {
                    // the store's map key is "<key name>|<plan>"; BenchCatalogs names key i "k" + i
                    String stateKey = "k" + i + "|" + BenchCatalogs.PLAN;
                    Member owner = members.get(0).getPartitionService().getPartition(stateKey).getOwner();
                    boolean local = owner.equals(self);
                    if (from.equals("client") || from.equals("member-local") == local) {
                        chosen.add(all[i]);
                        chosenStateKeys.add(stateKey);
                    }
                }
                if (chosen.isEmpty()) {
                    throw new IllegalStateException("no key for " + from + " among " + keys);
                }
                presented = chosen.toArray(String[]::new);
                stateKeys = chosenStateKeys.toArray(String[]::new);
                Random random = new Random(42); // shuffled, as in DecideBenchmark
                for (int i = presented.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    String t = presented[i];
                    presented[i] = presented[j];
                    presented[j] = t;
                    t = stateKeys[i];
                    stateKeys[i] = stateKeys[j];
                    stateKeys[j] = t;
                }
                floor = caller.getMap("bench-floor");
                for (String key : stateKeys) {
                    floor.set(key, 0L);
                }
                long before = BenchCluster.operations(members, store.mapName());
                for (int i = 0; i < COUNTED; i++) {
                    check(engine.decide(presented[i % presented.length], "GET", "/pets"), "counting");
                }
                long operations = BenchCluster.operations(members, store.mapName()) - before;
                System.out.printf("%nhazelcast round trips: from=%s, %d keys of %d: %d decisions -> %d operations on the members' "
                        + "state map (%.2f per decision)%n", from, presented.length, keys, COUNTED, operations, (double) operations / COUNTED);
            } catch (RuntimeException | Error e) {
                tearDown();
                throw e;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (engine != null) {
                    check(engine.decide(presented[0], "GET", "/pets"), "teardown"); // the throttle never ran dry
                }
            } finally {
                if (engine != null) {
                    engine.close();
                }
                if (store != null) {
                    store.close();
                }
                if (client != null) {
                    client.getLifecycleService().terminate();
                }
                for (int i = members.size() - 1; i >= 0; i--) {
                    members.get(i).getLifecycleService().terminate();
                }
                members.clear();
            }
        }

        private static void check(Decision d, String when) {
            if (d.outcome() != Decision.Outcome.ALLOWED) {
                throw new IllegalStateException(when + ": expected ALLOWED, got " + d);
            }
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

    /**
     * The floor: one plain {@code IMap.set(key, Long)} from the same caller to the same owners (a write with its
     * synchronous backup, Hazelcast's own serialization, no entry processor): what any one-write-per-request
     * design costs on this cluster.
     */
    @Benchmark
    @Threads(1)
    public Object floorMapSet(Engine e, Cursor c) {
        String[] keys = e.stateKeys;
        int i = c.next;
        c.next = i + 1 == keys.length ? 0 : i + 1;
        e.floor.set(keys[i], (long) i);
        return keys[i];
    }

    private static Decision decide(Engine e, Cursor c) {
        String[] keys = e.presented;
        int i = c.next;
        c.next = i + 1 == keys.length ? 0 : i + 1;
        return e.engine.decide(keys[i], "GET", "/pets");
    }
}
