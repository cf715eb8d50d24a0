package io.usageplans.hazelcast;

import java.util.List;
import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;

/**
 * A key's allowance settlements from one batch, run on its owner as a single key's entry processor, whose answer waits
 * for the sync backup (replayed there with the same times, so it reaches the same state): its changes in batch order.
 * The answer is the key's grants, four longs each ({@link AllowanceGrant}'s
 * fields), in the order of its changes. A batch that reaches a key a second time (Hazelcast retries an operation whose
 * owner left after its backup applied it) changes nothing and grants nothing.
 */
public final class Settle implements EntryProcessor<String, KeyUsage, long[]> {

    private static final long serialVersionUID = 1L;

    final List<AllowanceChange> changes;
    final int reportDays;
    /** This batch's id: a batch Hazelcast runs again (its owner died after the backup applied it) changes nothing twice. */
    final long idHigh;
    final long idLow;

    Settle(List<AllowanceChange> changes, int reportDays) {
        this(changes, reportDays, java.util.concurrent.ThreadLocalRandom.current().nextLong(),
                java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    Settle(List<AllowanceChange> changes, int reportDays, long idHigh, long idLow) {
        if (changes.isEmpty() || changes.stream().anyMatch(change -> !change.stateKey().equals(changes.get(0).stateKey()))) {
            throw new IllegalArgumentException("a Settle is the changes of one key, at least one");
        }
        this.changes = changes;
        this.reportDays = reportDays;
        this.idHigh = idHigh;
        this.idLow = idLow;
    }

    /** The key this settles. */
    String stateKey() {
        return changes.get(0).stateKey();
    }

    @Override
    public long[] process(Map.Entry<String, KeyUsage> entry) {
        KeyUsage state = entry.getValue();
        if (state == null) {
            state = new KeyUsage();
        }
        long[] grants = new long[4 * changes.size()];
        if (state.settledAlready(idHigh, idLow)) {
            return grants; // applied before this run: nothing granted now, and nothing returned twice
        }
        state.rememberSettle(idHigh, idLow);
        int at = 0;
        int days = io.usageplans.spi.UsageStore.anonymous(entry.getKey()) ? 0 : reportDays; // keyless clients: no history
        for (AllowanceChange change : changes) {
            AllowanceGrant grant = state.settle(change, days);
            grants[at++] = grant.granted();
            grants[at++] = grant.planTokens();
            grants[at++] = grant.planNanosToFull();
            grants[at++] = grant.quotaUsed();
        }
        AllowanceChange last = changes.get(changes.size() - 1);
        KeyUsage.writeTo(entry, state, state.ttlMillis(last.nowNanos(), last.quota(), days));
        return grants;
    }
}
