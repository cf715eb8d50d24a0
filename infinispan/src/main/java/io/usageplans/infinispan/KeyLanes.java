package io.usageplans.infinispan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

import org.infinispan.Cache;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * Changes key state in the cache by compare-and-set, one lane per key on this member: the changes that queue up for a
 * key while a write is in flight go together in the next one (read, apply them in order to the state read, then
 * {@code replace(key, read, written)}; if another member wrote meanwhile, read again and apply them again). So a busy
 * key costs one read and one conditional write per batch instead of per request, requests on one member never race
 * each other, and the result is exact: a change counts only if the state it was applied to was still the stored one.
 *
 * <p>A caller waits at most the timeout. A change whose caller gave up before it was written is dropped; one whose
 * write was under way completes later, and {@code late} undoes what it took (the caller was told nothing was decided).
 * Lanes run on the cache's completion threads and never block them.
 */
final class KeyLanes {

    private static final System.Logger LOG = System.getLogger(KeyLanes.class.getName());
    /** Changes one write carries at most. */
    private static final int BATCH = 256;
    /** Nested completions on one thread before the next batch moves to another thread (a local cache completes at once). */
    private static final int DEPTH = 32;
    /** How long changes without a caller (late give-backs) keep trying. */
    private static final long BACKGROUND_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Cache<String, String> cache;
    private final long timeoutMillis;
    private final int reportDays;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
    private final Executor hop = CompletableFuture.delayedExecutor(0, TimeUnit.MILLISECONDS);
    final LongAdder writes = new LongAdder();
    final LongAdder conflicts = new LongAdder();

    KeyLanes(Cache<String, String> cache, long timeoutMillis, int reportDays) {
        this.cache = cache;
        this.timeoutMillis = timeoutMillis;
        this.reportDays = reportDays;
    }

    /** What a change did to the state it was applied to, and whether that state must be written. */
    record Step<R>(R result, boolean changed) {
    }

    /** One change to one key's state; applied to a fresh copy on every attempt, so it depends on nothing else. */
    static final class Change<R> {
        private static final int WAITING = 0;
        private static final int ABANDONED = 1;
        private static final int DONE = 2;

        final Function<KeyUsage, Step<R>> apply;
        /** The time and quota period that decide how long the entry lives after this change. */
        final long nowNanos;
        final QuotaWindow quota;
        /** What undoes this change if it is written after its caller gave up; null: nothing to undo. */
        final Consumer<R> late;
        final long deadlineNanos;
        final boolean background;
        final CompletableFuture<R> result = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private R attempted;
        private boolean changed;

        Change(Function<KeyUsage, Step<R>> apply, long nowNanos, QuotaWindow quota, Consumer<R> late, long waitNanos,
               boolean background) {
            this.apply = apply;
            this.nowNanos = nowNanos;
            this.quota = quota;
            this.late = late;
            this.deadlineNanos = System.nanoTime() + waitNanos;
            this.background = background;
        }

        boolean abandoned() {
            return state.get() == ABANDONED;
        }

        /** The caller stops waiting; false if the result arrived meanwhile. */
        boolean abandon() {
            return state.compareAndSet(WAITING, ABANDONED);
        }

        void applyTo(KeyUsage usage) {
            Step<R> step = apply.apply(usage);
            attempted = step.result();
            changed = step.changed();
        }

        /** Hands the result to the caller, or, where the caller gave up, undoes it. */
        void written() {
            if (state.compareAndSet(WAITING, DONE)) {
                result.complete(attempted);
            } else if (late != null) {
                late.accept(attempted);
            }
        }

        void failed(RuntimeException error) {
            if (state.compareAndSet(WAITING, DONE)) {
                result.completeExceptionally(error);
            } else if (background) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: a change of key state was not written: {0}", error.toString());
            }
        }
    }

    private static final class Lane {
        final String key;
        final ArrayDeque<Change<?>> queue = new ArrayDeque<>();
        boolean running;

        Lane(String key) {
            this.key = key;
        }
    }

    /** A change with a caller, who waits for it with {@link #await}. */
    <R> Change<R> change(Function<KeyUsage, Step<R>> apply, long nowNanos, QuotaWindow quota, Consumer<R> late) {
        return new Change<>(apply, nowNanos, quota, late, TimeUnit.MILLISECONDS.toNanos(timeoutMillis), false);
    }

    /** A change nobody waits for (a late give-back): it keeps trying for a while, and a failure is logged. */
    <R> Change<R> background(Function<KeyUsage, Step<R>> apply, long nowNanos, QuotaWindow quota) {
        return new Change<>(apply, nowNanos, quota, null, BACKGROUND_NANOS, true);
    }

    /** Queues {@code change} on its key's lane, and starts the lane if it is idle. */
    <R> Change<R> submit(String key, Change<R> change) {
        while (true) {
            Lane lane = lanes.computeIfAbsent(key, Lane::new);
            boolean start;
            synchronized (lane) {
                if (!lane.running && lanes.get(key) != lane) {
                    continue; // an idle lane just left the map: use the new one, so one lane per key writes
                }
                lane.queue.add(change);
                start = !lane.running;
                lane.running = true;
            }
            if (start) {
                next(lane);
            }
            return change;
        }
    }

    /** Waits at most the timeout for {@code change}; then it gives up, and the plan's fail mode decides. */
    <R> R await(Change<R> change) {
        try {
            return change.result.get(Math.max(0, change.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (change.abandon()) {
                throw new UsageStoreUnavailableException("no answer from the Infinispan cache within " + timeoutMillis + " ms", e);
            }
            return change.result.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (change.abandon()) {
                throw new UsageStoreUnavailableException("interrupted while waiting for the Infinispan cache", e);
            }
            return change.result.join();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UsageStoreUnavailableException unavailable) {
                throw unavailable;
            }
            throw new UsageStoreUnavailableException("the Infinispan cache failed: " + e.getCause(), e.getCause());
        }
    }

    /** Takes the next batch of a lane, or marks the lane idle when nothing waits. */
    private void next(Lane lane) {
        int[] nested = depth.get();
        if (nested[0] >= DEPTH) {
            hop.execute(() -> next(lane));
            return;
        }
        nested[0]++;
        try {
            List<Change<?>> batch = new ArrayList<>();
            synchronized (lane) {
                while (batch.size() < BATCH && !lane.queue.isEmpty()) {
                    Change<?> change = lane.queue.poll();
                    if (!change.abandoned()) {
                        batch.add(change);
                    }
                }
                if (batch.isEmpty()) {
                    lane.running = false;
                    lanes.remove(lane.key, lane);
                    return;
                }
            }
            attempt(lane, batch, 0);
        } finally {
            nested[0]--;
        }
    }

    /** Reads the state, applies the batch to it, and writes it if nobody else did meanwhile; else tries again. */
    private void attempt(Lane lane, List<Change<?>> batch, int failures) {
        batch.removeIf(Change::abandoned);
        if (batch.isEmpty()) {
            next(lane);
            return;
        }
        CompletableFuture<String> read;
        try {
            read = cache.getAsync(lane.key);
        } catch (RuntimeException e) {
            failed(lane, batch, failures, e);
            return;
        }
        read.whenComplete((stored, readError) -> {
            if (readError != null) {
                failed(lane, batch, failures, readError);
                return;
            }
            try {
                decideAndWrite(lane, batch, failures, stored);
            } catch (RuntimeException e) { // never leave a lane running with nobody to finish it
                LOG.log(System.Logger.Level.ERROR, "usage-plans: deciding on key state failed", e);
                batch.forEach(change -> change.failed(new UsageStoreUnavailableException("deciding on key state failed: " + e, e)));
                next(lane);
            }
        });
    }

    /** Applies the batch to the state read ({@code stored}, null: none yet) and writes it if it changed. */
    private void decideAndWrite(Lane lane, List<Change<?>> batch, int failures, String stored) {
        KeyUsage state;
        try {
            state = stored == null ? new KeyUsage() : KeyUsage.decode(stored);
        } catch (IllegalStateException e) {
            batch.forEach(change -> change.failed(new UsageStoreUnavailableException(e.getMessage(), e)));
            next(lane);
            return;
        }
        boolean changed = false;
        for (Change<?> change : batch) {
            change.applyTo(state);
            changed |= change.changed;
        }
        if (!changed) {
            batch.forEach(Change::written);
            next(lane);
            return;
        }
        long ttl = 1_000;
        int days = io.usageplans.spi.UsageStore.anonymous(lane.key) ? 0 : reportDays; // stage buckets, keyless clients
        for (Change<?> change : batch) {
            ttl = Math.max(ttl, state.ttlMillis(change.nowNanos, change.quota, days));
        }
        String written = state.encode();
        CompletableFuture<Boolean> write;
        try {
            write = stored == null
                    ? cache.putIfAbsentAsync(lane.key, written, ttl, TimeUnit.MILLISECONDS).thenApply(previous -> previous == null)
                    : cache.replaceAsync(lane.key, stored, written, ttl, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            failed(lane, batch, failures, e);
            return;
        }
        write.whenComplete((replaced, writeError) -> {
            if (writeError != null) {
                failed(lane, batch, failures, writeError);
            } else if (replaced) {
                writes.increment();
                batch.forEach(Change::written);
                next(lane);
            } else {
                conflicts.increment(); // another member wrote first: apply the batch to what it wrote
                attempt(lane, batch, failures);
            }
        });
    }

    /**
     * A read or write failed (a member left mid-call, a topology change): try again shortly while someone still waits
     * for the batch, else fail it. A write that failed may still have been applied: trying again then counts it twice
     * (fewer requests admitted, never more).
     */
    private void failed(Lane lane, List<Change<?>> batch, int failures, Throwable error) {
        long now = System.nanoTime();
        long latest = Long.MIN_VALUE;
        for (Change<?> change : batch) {
            if (!change.abandoned()) {
                latest = Math.max(latest, change.deadlineNanos);
            }
        }
        long pause = Math.min(100, 5L << Math.min(failures, 5));
        if (latest != Long.MIN_VALUE && latest - now > TimeUnit.MILLISECONDS.toNanos(pause)) {
            LOG.log(System.Logger.Level.DEBUG, "usage-plans: retrying key state after {0}", error.toString());
            CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(() -> attempt(lane, batch, failures + 1));
            return;
        }
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        UsageStoreUnavailableException unavailable = new UsageStoreUnavailableException("the Infinispan cache failed: " + cause, cause);
        batch.forEach(change -> change.failed(unavailable));
        next(lane);
    }

    /** Reads one key's state with the timeout; null if there is none. */
    KeyUsage read(String key) {
        CompletableFuture<String> read;
        try {
            read = cache.getAsync(key);
        } catch (RuntimeException e) {
            throw new UsageStoreUnavailableException("the Infinispan cache failed: " + e, e);
        }
        try {
            return KeyUsage.decode(read.get(timeoutMillis, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new UsageStoreUnavailableException("no answer from the Infinispan cache within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageStoreUnavailableException("interrupted while waiting for the Infinispan cache", e);
        } catch (ExecutionException e) {
            throw new UsageStoreUnavailableException("the Infinispan cache failed: " + e.getCause(), e.getCause());
        }
    }
}
