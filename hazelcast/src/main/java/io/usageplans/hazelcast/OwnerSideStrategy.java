package io.usageplans.hazelcast;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * Every change is one entry processor ({@link Decide}, {@link Refund}, {@link UpdateQuota}) on the key's owner,
 * replayed on its backups: one round trip, atomic per key, exact across members. A call that does not answer
 * within the timeout is "unavailable"; if its decision still arrives and took units, they are given back.
 */
final class OwnerSideStrategy extends KeyStateStrategy {

    private static final System.Logger LOG = System.getLogger(HazelcastUsageStore.class.getName());
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** Direct calls on a member ({@link MemberCalls}), found with the map; null: {@code submitToKey}. */
    private volatile MemberCalls direct;
    private volatile boolean directChecked;
    /** Decisions given up on whose result, or whose refund, is still on its way. */
    private final LongAdder latePending = new LongAdder();
    private final LongAdder lateGivenBack = new LongAdder();
    private final LongAdder lateNotGivenBack = new LongAdder();
    private final AtomicLong lastLateFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS - 1);

    OwnerSideStrategy(HazelcastInstance hazelcast, String mapName, long timeoutMillis, int reportDays) {
        super(hazelcast, mapName, timeoutMillis, reportDays);
    }

    @Override
    Consumption tryConsume(String stateKey, Decide decide) {
        return onOwner(stateKey, decide, true);
    }

    @Override
    void refund(String stateKey, Decide original, boolean planBucket, boolean methodBucket, boolean quota) {
        onOwner(stateKey, new Refund(original, planBucket, methodBucket, quota), false);
    }

    @Override
    long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        return onOwner(stateKey, new UpdateQuota(window, update, nowNanos, reportDays), false);
    }

    /**
     * One {@link Settle} per key with its changes, gathered by the key's owner: a member's own keys run from here, every
     * other member gets one {@link SettleOnMember} with all of its keys (one network call per owner member and batch),
     * all sent at once, then one bounded wait. Every Settle is a single key's entry processor, answered only once the
     * key's sync backup holds it. A key that does not answer in time gets no grant: its returned units are lost to this
     * member (fewer requests admitted, never more), and a grant that arrives late is never spent, so its tokens lapse
     * with their hold time.
     */
    @Override
    java.util.List<AllowanceGrant> settle(java.util.List<AllowanceChange> changes) {
        java.util.Map<String, java.util.List<AllowanceChange>> byKey = new java.util.LinkedHashMap<>();
        for (AllowanceChange change : changes) {
            byKey.computeIfAbsent(change.stateKey(), key -> new java.util.ArrayList<>(1)).add(change);
        }
        MemberCalls calls = direct();
        java.util.List<Settle> here = new java.util.ArrayList<>();
        java.util.Map<com.hazelcast.cluster.Member, java.util.List<Settle>> elsewhere = new java.util.LinkedHashMap<>();
        try {
            com.hazelcast.partition.PartitionService partitions = hazelcast.getPartitionService();
            for (java.util.Map.Entry<String, java.util.List<AllowanceChange>> key : byKey.entrySet()) {
                Settle settle = new Settle(key.getValue(), reportDays);
                com.hazelcast.cluster.Member owner = partitions.getPartition(key.getKey()).getOwner();
                // an owner not known yet (partitions being assigned): a single call from here finds it
                if (owner == null || (calls != null && owner.localMember())) {
                    here.add(settle);
                } else {
                    elsewhere.computeIfAbsent(owner, member -> new java.util.ArrayList<>()).add(settle);
                }
            }
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        java.util.Map<Settle[], java.util.concurrent.Future<long[]>> sent = new java.util.LinkedHashMap<>();
        RuntimeException failure = null;
        for (java.util.Map.Entry<com.hazelcast.cluster.Member, java.util.List<Settle>> member : elsewhere.entrySet()) {
            Settle[] settles = member.getValue().toArray(new Settle[0]);
            try {
                sent.put(settles, hazelcast.getExecutorService(SETTLE_EXECUTOR)
                        .submitToMember(new SettleOnMember(mapName, timeoutMillis, settles), member.getKey()));
            } catch (RuntimeException e) {
                failure = new UsageStoreUnavailableException("settling allowances failed on " + member.getKey() + ": " + e, e);
            }
        }
        java.util.Map<String, long[]> answers = new java.util.HashMap<>();
        if (!here.isEmpty()) {
            Settle[] settles = here.toArray(new Settle[0]);
            SettleOnMember.read(settles, SettleOnMember.run(calls, usages(), settles, deadline), answers);
        }
        for (java.util.Map.Entry<Settle[], java.util.concurrent.Future<long[]>> member : sent.entrySet()) {
            try {
                SettleOnMember.read(member.getKey(), member.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), answers);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new UsageStoreUnavailableException("interrupted while settling allowances", e);
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                failure = new UsageStoreUnavailableException("settling allowances failed on a member: " + e, e);
            }
        }
        if (answers.isEmpty()) {
            throw failure != null ? (UsageStoreUnavailableException) failure
                    : new UsageStoreUnavailableException("no key of the settlement answered within " + timeoutMillis + " ms", null);
        }
        java.util.List<AllowanceGrant> grants = new java.util.ArrayList<>(changes.size());
        java.util.Map<String, Integer> taken = new java.util.HashMap<>();
        for (AllowanceChange change : changes) {
            long[] values = answers.get(change.stateKey());
            int at = taken.merge(change.stateKey(), 1, Integer::sum) - 1;
            grants.add(values == null || values.length < 4 * (at + 1) ? AllowanceGrant.NONE
                    : new AllowanceGrant(values[4 * at], values[4 * at + 1], values[4 * at + 2], values[4 * at + 3]));
        }
        return grants;
    }

    /** The executor a member's part of a settlement runs on (Hazelcast's defaults unless the configuration names it). */
    static final String SETTLE_EXECUTOR = "usage-plans-settle";

    @Override
    CompletableFuture<?> touch(String key) {
        Decide nothing = new Decide(null, null, null, 0, 0, 0);
        MemberCalls calls = direct();
        // through MemberCalls where it can: submitToKey would start a thread per partition on a 2-core member
        return calls != null ? calls.submit(key, nothing) : usages().submitToKey(key, nothing).toCompletableFuture();
    }

    @Override
    CompletableFuture<?> untouch(String key) {
        MemberCalls calls = direct();
        return calls != null ? calls.delete(key) : usages().deleteAsync(key).toCompletableFuture();
    }

    /**
     * Runs {@code processor} on the key's owner and waits at most the timeout; any failure is "unavailable". A late
     * answer still applies (right for refunds and quota updates, which the caller wanted done anyway), except a
     * decision's ({@code giveBackIfLate}): its units go back when it arrives, since the caller was told nothing was
     * decided.
     */
    @SuppressWarnings("unchecked")
    private <R> R onOwner(String key, EntryProcessor<String, KeyUsage, R> processor, boolean giveBackIfLate) {
        MemberCalls calls = direct();
        CompletableFuture<Object> pending;
        try {
            pending = calls != null ? calls.submit(key, processor)
                    : (CompletableFuture<Object>) (CompletionStage<?>) usages().submitToKey(key, processor).toCompletableFuture();
        } catch (UsageStoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
        try {
            Object value = pending.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return (R) (calls != null ? calls.resolve(value) : value);
        } catch (TimeoutException e) {
            abandoned(key, processor, giveBackIfLate, pending, calls);
            throw new UsageStoreUnavailableException("no answer from the Hazelcast cluster within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            abandoned(key, processor, giveBackIfLate, pending, calls);
            Thread.currentThread().interrupt();
            throw new UsageStoreUnavailableException("interrupted while waiting for the Hazelcast cluster", e);
        } catch (ExecutionException e) {
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e.getCause(), e.getCause());
        } catch (RuntimeException e) { // deserializing the answer
            throw new UsageStoreUnavailableException("the Hazelcast cluster failed: " + e, e);
        }
    }

    private MemberCalls direct() {
        if (!directChecked) {
            MemberCalls calls = null;
            try {
                calls = MemberCalls.of(hazelcast, usages());
            } catch (LinkageError e) { // a Hazelcast without the member-side proxy this was built against
                LOG.log(System.Logger.Level.DEBUG, "usage-plans: entry processors go through IMap.submitToKey: {0}", e.toString());
            }
            direct = calls;
            directChecked = true;
        }
        return direct;
    }

    private void abandoned(String key, EntryProcessor<String, KeyUsage, ?> processor, boolean giveBackIfLate,
                           CompletableFuture<Object> pending, MemberCalls calls) {
        if (giveBackIfLate) {
            giveBackWhenAllowed(key, (Decide) processor, pending, calls);
        }
    }

    /**
     * The caller gave up on {@code decision} and answered "unavailable", so nothing may stay counted: when its
     * result arrives and it took units (allowed), they go back to the plan bucket, the method bucket and the quota.
     * Runs once per decision given up on, never for one answered in time; does not block the thread completing it.
     */
    private void giveBackWhenAllowed(String key, Decide decision, CompletableFuture<Object> late, MemberCalls calls) {
        latePending.increment();
        whenDone(late, calls, (value, failure) -> {
            Object consumption;
            try {
                consumption = failure != null || calls == null ? value : calls.resolve(value);
            } catch (RuntimeException e) {
                lateRefundFailed(e);
                return;
            }
            if (!(consumption instanceof Consumption c) || c.verdict() != Consumption.Verdict.ALLOWED) {
                latePending.decrement(); // rejected or failed: it took nothing
                return;
            }
            CompletableFuture<?> refund;
            try {
                Refund refundAll = new Refund(decision, true, true, true);
                refund = calls != null ? calls.submit(key, refundAll) : usages().submitToKey(key, refundAll).toCompletableFuture();
            } catch (RuntimeException e) {
                lateRefundFailed(e);
                return;
            }
            whenDone(refund, calls, (done, refundFailure) -> {
                if (refundFailure != null) {
                    lateRefundFailed(refundFailure);
                } else {
                    lateGivenBack.increment();
                    latePending.decrement();
                }
            });
        });
    }

    /** {@code action} when {@code call} completes: on Hazelcast's async pool for direct calls (see {@link MemberCalls#whenDone}). */
    private static <T> void whenDone(CompletableFuture<T> call, MemberCalls calls,
                                     java.util.function.BiConsumer<? super T, ? super Throwable> action) {
        if (calls != null) {
            calls.whenDone(call, action);
        } else {
            call.whenComplete(action);
        }
    }

    private void lateRefundFailed(Throwable failure) {
        lateNotGivenBack.increment();
        latePending.decrement();
        long now = System.nanoTime();
        long last = lastLateFailureLog.get();
        if (now - last > LOG_INTERVAL_NANOS && lastLateFailureLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: a decision that answered after the {0} ms timeout (its request "
                    + "got the plan''s fail mode) could not give its units back: {1} (further such lines are suppressed for "
                    + "10 s; {2} so far)", timeoutMillis, failure, lateNotGivenBack.sum());
        }
    }

    @Override
    long lateGivenBack() {
        return lateGivenBack.sum();
    }

    @Override
    long latePending() {
        return latePending.sum();
    }

    @Override
    long lateNotGivenBack() {
        return lateNotGivenBack.sum();
    }
}
