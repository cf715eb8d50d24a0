package io.usageplans.hazelcast;

import java.util.Arrays;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.usageplans.store.shared.SharedKeyState;

/**
 * One key on one plan in the state map: {@link SharedKeyState}'s buckets, quota, allowances and daily usage, changed
 * only inside {@link Decide} and {@link Settle} on the partition owner, so one decision is one round trip and atomic;
 * plus the ids of the last settlement batches, so that one Hazelcast runs again on a new owner applies once.
 */
public final class KeyUsage extends SharedKeyState {

    /**
     * The ids of the last {@value #SETTLES_REMEMBERED} {@link Settle} batches applied here, two longs each: Hazelcast may
     * run a batch again on a new owner after its old owner died, and a return applied twice would admit too much.
     */
    long[] recentSettles = new long[0];
    static final int SETTLES_REMEMBERED = 4;

    KeyUsage() {
    }

    private KeyUsage(KeyUsage other) {
        super(other);
        recentSettles = other.recentSettles.clone();
    }

    /** Whether the {@link Settle} batch {@code idHigh:idLow} was applied to this state already. */
    boolean settledAlready(long idHigh, long idLow) {
        for (int i = 0; i + 1 < recentSettles.length; i += 2) {
            if (recentSettles[i] == idHigh && recentSettles[i + 1] == idLow) {
                return true;
            }
        }
        return false;
    }

    /** Remembers batch {@code idHigh:idLow}, forgetting the oldest beyond {@value #SETTLES_REMEMBERED}. */
    void rememberSettle(long idHigh, long idLow) {
        int kept = Math.min(recentSettles.length, 2 * (SETTLES_REMEMBERED - 1));
        long[] next = new long[kept + 2];
        System.arraycopy(recentSettles, recentSettles.length - kept, next, 0, kept);
        next[kept] = idHigh;
        next[kept + 1] = idLow;
        recentSettles = next;
    }

    /** Writes {@code state} back to its entry on the owner, living {@code ttlMillis} from now (where the entry allows a TTL). */
    static void writeTo(java.util.Map.Entry<String, KeyUsage> entry, KeyUsage state, long ttlMillis) {
        if (entry instanceof com.hazelcast.map.ExtendedMapEntry<String, KeyUsage> extended) {
            extended.setValue(state, ttlMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            entry.setValue(state);
        }
    }

    /** A deep copy: compare-and-set on the caller side changes a copy, never the value it compares against. */
    KeyUsage copy() {
        return new KeyUsage(this);
    }

    /** The compact form ({@link Serializers}): schema-based, so members that only store it need no class of ours. */
    static KeyUsage read(CompactReader in) {
        KeyUsage u = new KeyUsage();
        u.bucketIds = in.readArrayOfString("bucketIds");
        u.capacities = in.readArrayOfInt64("capacities");
        u.nanosToFill = in.readArrayOfInt64("nanosToFill");
        u.tokens = in.readArrayOfFloat64("tokens");
        u.lastRefillNanos = in.readArrayOfInt64("lastRefillNanos");
        u.quotaStartMillis = in.readInt64("quotaStartMillis");
        u.quotaUsed = in.readInt64("quotaUsed");
        u.usageDays = in.readArrayOfInt64("usageDays");
        u.usageCounts = in.readArrayOfInt64("usageCounts");
        // entries written before quota counters were kept per day read as 0s
        u.usageQuotaUsed = in.getFieldKind("usageQuotaUsed") == FieldKind.ARRAY_OF_INT64
                ? in.readArrayOfInt64("usageQuotaUsed") : new long[u.usageDays.length];
        // entries written before lease mode hold no allowances
        u.leasedTokens = in.getFieldKind("leasedTokens") == FieldKind.INT64 ? in.readInt64("leasedTokens") : 0;
        u.leaseDeadlineNanos = in.getFieldKind("leaseDeadlineNanos") == FieldKind.INT64 ? in.readInt64("leaseDeadlineNanos") : 0;
        u.recentSettles = in.getFieldKind("recentSettles") == FieldKind.ARRAY_OF_INT64 ? in.readArrayOfInt64("recentSettles")
                : new long[0];
        return u;
    }

    void write(CompactWriter out) {
        out.writeArrayOfString("bucketIds", bucketIds);
        out.writeArrayOfInt64("capacities", capacities);
        out.writeArrayOfInt64("nanosToFill", nanosToFill);
        out.writeArrayOfFloat64("tokens", tokens);
        out.writeArrayOfInt64("lastRefillNanos", lastRefillNanos);
        out.writeInt64("quotaStartMillis", quotaStartMillis);
        out.writeInt64("quotaUsed", quotaUsed);
        out.writeArrayOfInt64("usageDays", usageDays);
        out.writeArrayOfInt64("usageCounts", usageCounts);
        out.writeArrayOfInt64("usageQuotaUsed", usageQuotaUsed);
        out.writeInt64("leasedTokens", leasedTokens);
        out.writeInt64("leaseDeadlineNanos", leaseDeadlineNanos);
        out.writeArrayOfInt64("recentSettles", recentSettles);
    }

    /**
     * Equal state, field by field: compare-and-set on the caller side compares values with it where the map keeps
     * objects (OBJECT in-memory format).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof KeyUsage o && sameStateAs(o) && Arrays.equals(recentSettles, o.recentSettles);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(quotaUsed) * 31 + Arrays.hashCode(tokens);
    }
}
