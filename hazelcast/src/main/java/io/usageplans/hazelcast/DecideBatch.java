package io.usageplans.hazelcast;

import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import io.usageplans.spi.Consumption;

/**
 * Decisions for several keys of one owner, sent as one operation ({@link Coalescer}): Hazelcast runs this processor
 * on each key of the batch on its partition's thread, and replays it on the backups with the same times, so they
 * reach the same state. For one key it runs that key's {@link Decide}s in batch order, each exactly as a lone
 * {@link Decide} would (read, decide, write with the new time to live), so every decision stays atomic and exact per
 * key. The answer per key is its {@link Consumption}s, {@value #FIELDS} longs each ({@link #answer}), in batch order.
 */
public final class DecideBatch implements EntryProcessor<String, KeyUsage, long[]> {

    private static final long serialVersionUID = 1L;

    /** Longs per decision in an answer. */
    static final int FIELDS = 7;
    private static final Consumption.Verdict[] VERDICTS = Consumption.Verdict.values();

    /** The batch and partition a partition thread last decided, so that each partition's backup carries only its own. */
    private static final ThreadLocal<Running> RUNNING = ThreadLocal.withInitial(Running::new);

    final String[] keys;
    final Decide[] decisions;
    /** The partition of each key. */
    final int[] partitionIds;

    DecideBatch(String[] keys, Decide[] decisions, int[] partitionIds) {
        if (keys.length != decisions.length || keys.length != partitionIds.length) {
            throw new IllegalArgumentException(keys.length + " keys for " + decisions.length + " decisions and "
                    + partitionIds.length + " partitions");
        }
        this.keys = keys;
        this.decisions = decisions;
        this.partitionIds = partitionIds;
    }

    private static final class Running {
        DecideBatch batch;
        int partitionId;
    }

    /**
     * What the backups of the partition just decided replay: only that partition's decisions (Hazelcast asks right
     * after running this processor on the partition's keys, on the same thread), not the whole batch once per partition.
     */
    @Override
    public EntryProcessor<String, KeyUsage, long[]> getBackupProcessor() {
        Running running = RUNNING.get();
        if (running.batch != this) {
            return this; // not asked right after running here: the whole batch, which replays the same
        }
        int count = 0;
        for (int id : partitionIds) {
            if (id == running.partitionId) {
                count++;
            }
        }
        if (count == keys.length) {
            return this;
        }
        String[] k = new String[count];
        Decide[] d = new Decide[count];
        int[] p = new int[count];
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            if (partitionIds[i] == running.partitionId) {
                k[at] = keys[i];
                d[at] = decisions[i];
                p[at++] = partitionIds[i];
            }
        }
        return new DecideBatch(k, d, p);
    }

    @Override
    public long[] process(Map.Entry<String, KeyUsage> entry) {
        String key = entry.getKey();
        int count = 0;
        for (String k : keys) {
            if (k.equals(key)) {
                count++;
            }
        }
        long[] answers = new long[FIELDS * count];
        if (count == 0) {
            return answers;
        }
        KeyUsage state = entry.getValue();
        if (state == null) {
            state = new KeyUsage();
        }
        // stage buckets and keyless clients keep no usage history, so their entries expire once idle
        int days = -1;
        boolean changed = false;
        Decide last = null;
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                Decide d = decisions[i];
                if (days < 0) {
                    Running running = RUNNING.get();
                    running.batch = this;
                    running.partitionId = partitionIds[i];
                    days = io.usageplans.spi.UsageStore.anonymous(key) ? 0 : d.reportDays;
                }
                KeyUsage.Outcome outcome = state.decide(d.plan, d.method, d.quota, d.nowNanos, days, d.cost);
                if (outcome.changed()) {
                    changed = true;
                    last = d;
                }
                write(outcome.consumption(), answers, at);
                at += FIELDS;
            }
        }
        if (changed) {
            KeyUsage.writeTo(entry, state, state.ttlMillis(last.nowNanos, last.quota, days));
        }
        return answers;
    }

    private static void write(Consumption c, long[] to, int at) {
        to[at] = c.verdict().ordinal();
        to[at + 1] = c.planTokens();
        to[at + 2] = c.planNanosToFull();
        to[at + 3] = c.methodTokens();
        to[at + 4] = c.methodNanosToFull();
        to[at + 5] = c.quotaUsed();
        to[at + 6] = c.nanosToRetry();
    }

    /** The {@code index}th decision's answer (0: the first decision for that key in the batch) from a key's answers. */
    static Consumption answer(long[] answers, int index) {
        int at = FIELDS * index;
        if (answers == null || answers.length < at + FIELDS) {
            return null;
        }
        return new Consumption(VERDICTS[(int) answers[at]], answers[at + 1], answers[at + 2], answers[at + 3], answers[at + 4],
                answers[at + 5], answers[at + 6]);
    }
}
