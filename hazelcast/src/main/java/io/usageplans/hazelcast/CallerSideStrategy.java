package io.usageplans.hazelcast;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * The fallback for clusters whose members cannot load this jar: read the entry, decide here, and write it back only
 * if nobody changed it meanwhile (compare-and-set on the serialized value, which members can store without our
 * classes). Costs a get and a replace (or put-if-absent) plus a TTL update per allowed request, i.e. 2 to 3 round
 * trips, and retries when requests for the same key race. On an instance without our serializers (an application
 * server's) the state is kept as compact GenericRecords ({@link GenericRecords}).
 */
final class CallerSideStrategy extends KeyStateStrategy {

    /** Set once the instance could not serialize a KeyUsage (no serializer of ours): the state is stored as records. */
    private volatile boolean asRecords;

    CallerSideStrategy(HazelcastInstance hazelcast, String mapName, long timeoutMillis, int reportDays) {
        super(hazelcast, mapName, timeoutMillis, reportDays);
    }

    @Override
    Consumption tryConsume(String key, Decide decide) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (true) {
                Object current = map().get(key);
                KeyUsage next = current == null ? new KeyUsage() : copyOf(current);
                int days = io.usageplans.spi.UsageStore.anonymous(key) ? 0 : reportDays; // no history: expires once idle
                KeyUsage.Outcome outcome = next.decide(decide.plan, decide.method, decide.quota, decide.nowNanos, days, decide.cost);
                if (!outcome.changed()) {
                    return outcome.consumption();
                }
                if (compareAndSet(key, current, next, next.ttlMillis(decide.nowNanos, decide.quota, days))) {
                    return outcome.consumption();
                }
                if (System.nanoTime() > deadline) {
                    throw concurrentlyChanged();
                }
            }
        } catch (UsageStoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
    }

    @Override
    void refund(String key, Decide original, boolean planBucket, boolean methodBucket, boolean quota) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                Object current = map().get(key);
                if (current == null) {
                    return;
                }
                KeyUsage next = copyOf(current);
                next.refund(original.plan, original.method, original.quota, original.nowNanos, original.cost,
                        planBucket, methodBucket, quota);
                if (map().replace(key, current, current instanceof KeyUsage ? next : record(next))) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        throw concurrentlyChanged();
    }

    @Override
    long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        UpdateQuota change = new UpdateQuota(window, update, nowNanos, reportDays);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                Object current = map().get(stateKey);
                KeyUsage next = current == null ? new KeyUsage() : copyOf(current);
                long used = change.apply(next);
                if (compareAndSet(stateKey, current, next, next.ttlMillis(nowNanos, window, reportDays))) {
                    return used;
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        throw concurrentlyChanged();
    }

    /** One compare-and-set per change, in batch order: the members need none of our classes for it. */
    @Override
    java.util.List<AllowanceGrant> settle(java.util.List<AllowanceChange> changes) {
        java.util.List<AllowanceGrant> grants = new java.util.ArrayList<>(changes.size());
        try {
            for (AllowanceChange change : changes) {
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
                AllowanceGrant grant = null;
                while (grant == null) {
                    Object current = map().get(change.stateKey());
                    KeyUsage next = current == null ? new KeyUsage() : copyOf(current);
                    int days = io.usageplans.spi.UsageStore.anonymous(change.stateKey()) ? 0 : reportDays;
                    AllowanceGrant candidate = next.settle(change, days);
                    if (compareAndSet(change.stateKey(), current, next, next.ttlMillis(change.nowNanos(), change.quota(), days))) {
                        grant = candidate;
                    } else if (System.nanoTime() > deadline) {
                        throw concurrentlyChanged();
                    }
                }
                grants.add(grant);
            }
        } catch (UsageStoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        return grants;
    }

    /** The members may not have this jar: a read warms the partition and the connection. */
    @Override
    CompletableFuture<?> touch(String key) {
        return map().getAsync(key).toCompletableFuture();
    }

    private UsageStoreUnavailableException concurrentlyChanged() {
        return new UsageStoreUnavailableException("key state changed concurrently until the " + timeoutMillis + " ms timeout", null);
    }

    /**
     * Puts {@code next} where {@code current} (null: no entry) still is, in the form the entry has: a KeyUsage, or a
     * GenericRecord on an instance without our serializers, which fails to serialize a KeyUsage the first time.
     */
    private boolean compareAndSet(String key, Object current, KeyUsage next, long ttl) {
        if (current != null) {
            boolean replaced = map().replace(key, current, current instanceof KeyUsage ? next : record(next));
            if (replaced) {
                map().setTtl(key, ttl, TimeUnit.MILLISECONDS);
            }
            return replaced;
        }
        if (!asRecords) {
            try {
                return map().putIfAbsent(key, next, ttl, TimeUnit.MILLISECONDS) == null;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
                System.getLogger(HazelcastUsageStore.class.getName()).log(System.Logger.Level.INFO, "usage-plans: the "
                        + "Hazelcast instance has no serializers of ours; key state is kept as compact GenericRecords");
            }
        }
        return map().putIfAbsent(key, record(next), ttl, TimeUnit.MILLISECONDS) == null;
    }

    /** A KeyUsage to change, from a state-map value. */
    private static KeyUsage copyOf(Object value) {
        return value instanceof KeyUsage usage ? usage.copy() : usageOf(value);
    }
}
