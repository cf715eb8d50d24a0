package io.usageplans.hazelcast;

import java.util.List;
import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;

/**
 * Allowance settlements for the keys of one partition, run on its owner (and replayed on its backups with the same
 * times, so they reach the same state): for each key, its changes in batch order. The answer per key is its grants,
 * four longs each ({@link AllowanceGrant}'s fields), in the order of its changes.
 */
public final class Settle implements EntryProcessor<String, KeyUsage, long[]> {

    private static final long serialVersionUID = 1L;

    final List<AllowanceChange> changes;
    final int reportDays;

    Settle(List<AllowanceChange> changes, int reportDays) {
        this.changes = changes;
        this.reportDays = reportDays;
    }

    @Override
    public long[] process(Map.Entry<String, KeyUsage> entry) {
        KeyUsage state = entry.getValue();
        if (state == null) {
            state = new KeyUsage();
        }
        String key = entry.getKey();
        int count = 0;
        for (AllowanceChange change : changes) {
            if (change.stateKey().equals(key)) {
                count++;
            }
        }
        long[] grants = new long[4 * count];
        int at = 0;
        AllowanceChange last = null;
        for (AllowanceChange change : changes) {
            if (change.stateKey().equals(key)) {
                AllowanceGrant grant = state.settle(change, reportDays);
                grants[at++] = grant.granted();
                grants[at++] = grant.planTokens();
                grants[at++] = grant.planNanosToFull();
                grants[at++] = grant.quotaUsed();
                last = change;
            }
        }
        if (last != null) {
            KeyUsage.writeTo(entry, state, state.ttlMillis(last.nowNanos(), last.quota(), reportDays));
        }
        return grants;
    }
}
