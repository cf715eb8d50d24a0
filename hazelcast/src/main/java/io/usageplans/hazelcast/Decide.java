package io.usageplans.hazelcast;

import java.util.Map;

import com.hazelcast.map.EntryProcessor;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;

/**
 * One decision, run on the member that owns the key's entry (and replayed on its backups with the same time, so
 * they reach the same state): read, decide, write with the entry's new time to live. One round trip, atomic per key.
 */
public final class Decide implements EntryProcessor<String, KeyUsage, Consumption> {

    private static final long serialVersionUID = 1L;

    final BucketSpec plan;
    final BucketSpec method;
    final QuotaWindow quota;
    final long nowNanos;
    final int reportDays;
    final long cost;

    Decide(BucketSpec plan, BucketSpec method, QuotaWindow quota, long nowNanos, int reportDays, long cost) {
        this.plan = plan;
        this.method = method;
        this.quota = quota;
        this.nowNanos = nowNanos;
        this.reportDays = reportDays;
        this.cost = cost;
    }

    @Override
    public Consumption process(Map.Entry<String, KeyUsage> entry) {
        KeyUsage state = entry.getValue();
        if (state == null) {
            state = new KeyUsage();
        }
        // stage buckets and keyless clients keep no usage history, so their entries expire once idle
        int days = io.usageplans.spi.UsageStore.anonymous(entry.getKey()) ? 0 : reportDays;
        KeyUsage.Outcome outcome = state.decide(plan, method, quota, nowNanos, days, cost);
        if (outcome.changed()) {
            long ttl = state.ttlMillis(nowNanos, quota, days);
            KeyUsage.writeTo(entry, state, ttl);
        }
        return outcome.consumption();
    }
}
