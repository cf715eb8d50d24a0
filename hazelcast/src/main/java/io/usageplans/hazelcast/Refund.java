package io.usageplans.hazelcast;

import java.util.Map;

import com.hazelcast.map.EntryProcessor;

/** Gives back an allowed request's units on the partition owner, for a response that should not count. One round trip. */
final class Refund implements EntryProcessor<String, KeyUsage, Boolean> {

    private static final long serialVersionUID = 1L;

    final Decide request;
    final boolean planBucket;
    final boolean methodBucket;
    final boolean quota;

    Refund(Decide request, boolean planBucket, boolean methodBucket, boolean quota) {
        this.request = request;
        this.planBucket = planBucket;
        this.methodBucket = methodBucket;
        this.quota = quota;
    }

    @Override
    public Boolean process(Map.Entry<String, KeyUsage> entry) {
        KeyUsage state = entry.getValue();
        if (state == null) {
            return false;
        }
        state.refund(request.plan, request.method, request.quota, request.nowNanos, request.cost, planBucket, methodBucket, quota);
        long ttl = state.ttlMillis(request.nowNanos, request.quota, request.reportDays);
        KeyUsage.writeTo(entry, state, ttl);
        return true;
    }
}
