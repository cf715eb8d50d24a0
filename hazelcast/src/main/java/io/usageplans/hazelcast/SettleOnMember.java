package io.usageplans.hazelcast;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;

/**
 * One member's part of a lease settlement, run on that member: each key's {@link Settle} as a single key's entry
 * processor from there (local to the partitions it owns), all started at once, then one bounded wait. So a batch
 * crosses the network once per owner member and interval, while every grant is still answered only once the key's
 * sync backup holds it: Hazelcast backs up a multi-key entry processor ({@code IMap.submitToKeys}) asynchronously, and
 * an owner dying right after answering one would take the record of units a member goes on spending.
 *
 * <p>The answer is one {@code long[]}: per settle, in order, the count of its longs (-1: no answer in time, or a
 * failure) followed by them (four per grant, {@link Settle}'s answer).
 */
final class SettleOnMember implements Callable<long[]>, HazelcastInstanceAware {

    final String mapName;
    final long timeoutMillis;
    final Settle[] settles;
    private transient HazelcastInstance hazelcast;

    SettleOnMember(String mapName, long timeoutMillis, Settle[] settles) {
        this.mapName = mapName;
        this.timeoutMillis = timeoutMillis;
        this.settles = settles;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.hazelcast = instance;
    }

    @Override
    public long[] call() {
        IMap<String, KeyUsage> map = hazelcast.getMap(mapName);
        MemberCalls calls;
        try {
            calls = MemberCalls.of(hazelcast, map);
        } catch (LinkageError e) { // a Hazelcast without the member-side proxy this was built against: IMap.submitToKey
            calls = null;
        }
        return run(calls, map, settles, System.nanoTime() + timeoutMillis * 1_000_000L);
    }

    /** Runs {@code settles} from this member and waits for them until {@code deadlineNanos}: the answer as described above. */
    @SuppressWarnings("unchecked")
    static long[] run(MemberCalls calls, IMap<String, KeyUsage> map, Settle[] settles, long deadlineNanos) {
        List<CompletableFuture<Object>> pending = new ArrayList<>(settles.length);
        for (Settle settle : settles) {
            String key = settle.stateKey();
            try {
                pending.add(calls != null ? calls.submit(key, settle)
                        : (CompletableFuture<Object>) (CompletableFuture<?>) map.submitToKey(key, settle).toCompletableFuture());
            } catch (RuntimeException e) {
                pending.add(CompletableFuture.failedFuture(e));
            }
        }
        long[][] answers = new long[settles.length][];
        for (int i = 0; i < settles.length; i++) {
            try {
                Object value = pending.get(i).get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                answers[i] = (long[]) (calls != null ? calls.resolve(value) : value);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // no grant for this key: fewer requests admitted, never more
            }
        }
        int size = settles.length;
        for (long[] answer : answers) {
            size += answer == null ? 0 : answer.length;
        }
        long[] flat = new long[size];
        int at = 0;
        for (long[] answer : answers) {
            if (answer == null) {
                flat[at++] = -1;
            } else {
                flat[at++] = answer.length;
                System.arraycopy(answer, 0, flat, at, answer.length);
                at += answer.length;
            }
        }
        return flat;
    }

    /** Puts each key's answer from {@link #run}'s form into {@code answers}; a key that had none is left out. */
    static void read(Settle[] settles, long[] flat, java.util.Map<String, long[]> answers) {
        int at = 0;
        for (Settle settle : settles) {
            int length = (int) flat[at++];
            if (length >= 0) {
                answers.put(settle.stateKey(), java.util.Arrays.copyOfRange(flat, at, at + length));
                at += length;
            }
        }
    }
}
