package io.usageplans.hazelcast;

import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.QuotaUpdate;

/** AWS's UpdateUsage on the partition owner: one round trip, atomic against the key's decisions. */
final class UpdateQuota implements EntryProcessor<String, KeyUsage, Long> {

    private static final long serialVersionUID = 1L;

    final QuotaWindow window;
    final QuotaUpdate update;
    final long nowNanos;
    final int reportDays;

    UpdateQuota(QuotaWindow window, QuotaUpdate update, long nowNanos, int reportDays) {
        this.window = window;
        this.update = update;
        this.nowNanos = nowNanos;
        this.reportDays = reportDays;
    }

    @Override
    public Long process(Map.Entry<String, KeyUsage> entry) {
        KeyUsage state = entry.getValue() == null ? new KeyUsage() : entry.getValue();
        long used = apply(state);
        long ttl = state.ttlMillis(nowNanos, window, reportDays);
        KeyUsage.writeTo(entry, state, ttl);
        return used;
    }

    long apply(KeyUsage state) {
        return state.updateQuota(window, update, nowNanos, reportDays);
    }
}
