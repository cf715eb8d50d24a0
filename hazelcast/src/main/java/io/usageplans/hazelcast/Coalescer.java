package io.usageplans.hazelcast;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.cluster.Address;
import com.hazelcast.internal.partition.IPartition;
import com.hazelcast.internal.partition.IPartitionService;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.impl.MapEntries;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.operation.MapOperationProvider;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.OperationService;
import com.hazelcast.spi.impl.operationservice.impl.operations.PartitionIteratingOperation;
import io.usageplans.spi.Consumption;

/**
 * Sends the decisions that wait for the same owner at the same moment as one operation ("smart batching": no timer,
 * no added latency when idle). A decision joins its owner's queue; if no batch for that owner is in flight, the
 * caller sends everything queued at once; decisions that arrive meanwhile go in the next batch, which the completion
 * of the one in flight sends. A batch of one is today's single entry processor ({@link Decide}); a batch of more is
 * one {@link PartitionIteratingOperation} to the owner running {@link DecideBatch} on every key of it (Hazelcast's
 * {@code executeOnKeys} machinery: one operation per partition on the owner, each on its partition's thread, each
 * backed up), answered in one response with each key's answers.
 *
 * <p><b>Only decisions whose backup is this member are coalesced</b> (the owner is another member, and this member
 * holds the partition's first backup: in a two-member cluster, every key the other member owns). Hazelcast does not
 * wait for backup acknowledgements inside such an operation; here it need not, because the owner sends each key's
 * backup to this member on the same connection, before the response: once the answer is here, the backup is here (or
 * queued on this member's partition thread), so an acknowledged count survives the owner's death. Every other decision
 * keeps its own operation with a synchronous backup.
 *
 * <p>Failures: a partition that answers with an error (it moved) and a batch that fails as a whole (its owner left)
 * are decided again one by one, the way Hazelcast retries a single decision; a decision whose caller gave up before
 * its batch was sent is never sent. Completion callbacks run on the thread that completes the call (Hazelcast's
 * response thread), never on a thread of their own.
 */
final class Coalescer {

    /** Most decisions in one batch: each partition's backup carries the whole batch, so it stays small. */
    static final int MAX_BATCH = 32;
    /** Batches in flight per owner: while one is, decisions queue for the next. */
    static final int IN_FLIGHT_PER_OWNER = 1;

    private static final System.Logger LOG = System.getLogger(HazelcastUsageStore.class.getName());
    private static final Executor CALLER_RUNS = Runnable::run;

    private final MemberCalls calls;
    private final String mapName;
    private final IPartitionService partitions;
    private final OperationService operations;
    private final SerializationService serialization;
    private final MapOperationProvider provider;
    private final Address self;
    private final ConcurrentHashMap<Address, Lane> lanes = new ConcurrentHashMap<>();
    /** Operations sent for decisions through lanes: batches, lone decisions, and decisions sent again one by one. */
    final LongAdder operationsSent = new LongAdder();
    /** Decisions sent as part of a batch of two or more. */
    final LongAdder decisionsCoalesced = new LongAdder();
    private volatile boolean disabled;

    Coalescer(MemberCalls calls, NodeEngine nodeEngine, String mapName, MapOperationProvider provider) {
        this.calls = calls;
        this.mapName = mapName;
        this.partitions = nodeEngine.getPartitionService();
        this.operations = nodeEngine.getOperationService();
        this.serialization = nodeEngine.getSerializationService();
        this.provider = provider;
        this.self = nodeEngine.getThisAddress();
    }

    /** A decision waiting for its answer, in its owner's queue until sent. */
    static final class Pending {
        private static final int WAITING = 0;
        private static final int SENT = 1;
        private static final int ABANDONED = 2;

        final String key;
        final Data keyData;
        final int partitionId;
        final Decide decide;
        /**
         * Completes with the decision's {@link Consumption}; exceptionally with {@link #ALONE} when its batch could
         * not decide it (its caller sends it alone, as Hazelcast would retry it), or with the cluster's failure.
         */
        final CompletableFuture<Consumption> answer = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(WAITING);
        /** The caller, which waits for the answer and sends the next batch when asked ({@link #lead}). */
        private final Thread waiter = Thread.currentThread();
        private volatile boolean lead;
        private final Lane lane;

        private Pending(String key, Data keyData, int partitionId, Decide decide, Lane lane) {
            this.key = key;
            this.keyData = keyData;
            this.partitionId = partitionId;
            this.decide = decide;
            this.lane = lane;
        }

        /** The caller stops waiting: true if the decision was never sent (so it will not be, and took nothing). */
        boolean abandon() {
            return state.compareAndSet(WAITING, ABANDONED);
        }

        /** Claims the decision for sending: false if its caller gave up first. */
        private boolean claim() {
            return state.compareAndSet(WAITING, SENT);
        }

        private void complete(Consumption consumption) {
            answer.complete(consumption);
            LockSupport.unpark(waiter);
        }

        private void fail(Throwable failure) {
            answer.completeExceptionally(failure);
            LockSupport.unpark(waiter);
        }
    }

    /** The answer of a decision its batch could not decide: its caller sends it alone. */
    static final RuntimeException ALONE = new RuntimeException("decide alone", null, false, false) { };

    /** One owner's queue and batches in flight. */
    private static final class Lane {
        final Address owner;
        final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();

        Lane(Address owner) {
            this.owner = owner;
        }
    }

    /**
     * Queues {@code decide} for its owner and sends what is queued if no batch is in flight; returns what to wait on
     * ({@link #await}), or null where this decision is not coalesced (this member owns the key, or does not hold its
     * backup, or the partition has no owner yet): the caller then sends it on its own.
     */
    Pending submit(String key, Decide decide) {
        if (disabled) {
            return null;
        }
        Data keyData = serialization.toData(key);
        int partitionId = partitions.getPartitionId(keyData);
        IPartition partition = partitions.getPartition(partitionId);
        Address owner = partition.getOwnerOrNull();
        if (owner == null || owner.equals(self) || !self.equals(partition.getReplicaAddress(1))) {
            return null;
        }
        Lane lane = lanes.computeIfAbsent(owner, Lane::new);
        Pending pending = new Pending(key, keyData, partitionId, decide, lane);
        lane.queue.add(pending);
        drain(lane);
        return pending;
    }

    /**
     * Waits at most {@code timeoutNanos} for the answer, on the caller's thread, which meanwhile sends the next batch
     * of its owner when the batch in flight completes and asks it to (Hazelcast's response threads, which complete
     * batches, may not start calls). On a timeout or an interrupt the caller must {@link #leave}.
     */
    Consumption await(Pending pending, long timeoutNanos) throws TimeoutException, InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!pending.answer.isDone()) {
            if (pending.lead) {
                pending.lead = false;
                drain(pending.lane);
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            LockSupport.parkNanos(pending, left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return pending.answer.get();
    }

    /** A caller that stops waiting sends what is queued, in case it was asked to send the next batch. */
    void leave(Pending pending) {
        drain(pending.lane);
    }

    /** Sends what the lane holds while fewer than {@link #IN_FLIGHT_PER_OWNER} batches are in flight (callers only). */
    private void drain(Lane lane) {
        while (!lane.queue.isEmpty()) {
            int inFlight = lane.inFlight.get();
            if (inFlight >= IN_FLIGHT_PER_OWNER) {
                return; // the batch in flight asks a waiting caller to send these when it completes
            }
            if (!lane.inFlight.compareAndSet(inFlight, inFlight + 1)) {
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            Pending next;
            while (batch.size() < MAX_BATCH && (next = lane.queue.poll()) != null) {
                if (next.claim()) {
                    batch.add(next);
                }
            }
            if (batch.isEmpty()) {
                lane.inFlight.decrementAndGet(); // only decisions given up on: the loop looks again
                continue;
            }
            send(lane, batch);
        }
    }

    /** A batch completed (on the thread that completed it): the first caller still waiting in the queue sends the next. */
    private void finished(Lane lane) {
        lane.inFlight.decrementAndGet();
        for (Pending waiting : lane.queue) {
            if (waiting.state.get() == Pending.WAITING) {
                waiting.lead = true;
                LockSupport.unpark(waiting.waiter);
                return;
            }
        }
    }

    private void send(Lane lane, List<Pending> batch) {
        if (batch.size() == 1) {
            sendAlone(lane, batch.get(0));
            return;
        }
        String[] keys = new String[batch.size()];
        Decide[] decisions = new Decide[batch.size()];
        int[] keyPartitions = new int[batch.size()];
        Set<Data> keyData = new LinkedHashSet<>();
        Set<Integer> partitionIds = new LinkedHashSet<>();
        for (int i = 0; i < keys.length; i++) {
            Pending p = batch.get(i);
            keys[i] = p.key;
            decisions[i] = p.decide;
            keyPartitions[i] = p.partitionId;
            keyData.add(p.keyData);
            partitionIds.add(p.partitionId);
        }
        int[] ids = partitionIds.stream().mapToInt(Integer::intValue).toArray();
        CompletableFuture<Object> call;
        try {
            PartitionIteratingOperation operation = new PartitionIteratingOperation(
                    provider.createMultipleEntryOperationFactory(mapName, keyData, new DecideBatch(keys, decisions, keyPartitions)), ids);
            call = operations.createInvocationBuilder(MapService.SERVICE_NAME, operation, lane.owner).invoke();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        operationsSent.increment();
        decisionsCoalesced.add(batch.size());
        call.whenCompleteAsync((response, failure) -> {
            try {
                if (failure != null) {
                    failed(failure);
                    batch.forEach(p -> p.fail(ALONE)); // its owner left, say: each is decided again, alone
                } else {
                    answer(batch, response);
                }
            } finally {
                finished(lane);
            }
        }, CALLER_RUNS);
    }

    /** Hands each key's answers to its decisions in batch order; a partition that failed is decided again, one by one. */
    private void answer(List<Pending> batch, Object response) {
        PartitionIteratingOperation.PartitionResponse partitionResponse =
                response instanceof PartitionIteratingOperation.PartitionResponse r ? r : null;
        Object[] results = partitionResponse == null ? null : partitionResponse.getResults();
        if (results != null) {
            for (int i = 0; i < results.length; i++) {
                if (results[i] instanceof MapEntries entries) {
                    for (int e = 0; e < entries.size(); e++) {
                        Data key = entries.getKey(e);
                        long[] answers;
                        try {
                            answers = serialization.toObject(entries.getValue(e));
                        } catch (RuntimeException ex) {
                            continue; // left unanswered below: decided alone
                        }
                        int index = 0;
                        for (Pending p : batch) {
                            if (p.keyData.equals(key)) {
                                Consumption c = DecideBatch.answer(answers, index++);
                                if (c != null) {
                                    p.complete(c);
                                }
                            }
                        }
                    }
                } else if (results[i] instanceof Throwable t) {
                    LOG.log(System.Logger.Level.DEBUG, "usage-plans: partition {0} of a batch answered {1}; its decisions go "
                            + "again one by one", partitionResponse.getPartitions()[i], t.toString());
                }
            }
        }
        for (Pending p : batch) {
            if (!p.answer.isDone()) { // its partition failed (it moved) before running it: decided again, alone
                p.fail(ALONE);
            }
        }
    }

    /** A lone decision of a lane (a batch of one), on the caller's thread. */
    private void sendAlone(Lane lane, Pending pending) {
        CompletableFuture<Object> call;
        try {
            call = calls.submit(pending.key, pending.decide);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        operationsSent.increment();
        call.whenCompleteAsync((value, failure) -> {
            try {
                if (failure != null) {
                    pending.fail(failure);
                } else {
                    pending.complete((Consumption) calls.resolve(value));
                }
            } catch (RuntimeException e) {
                pending.fail(e);
            } finally {
                finished(lane);
            }
        }, CALLER_RUNS);
    }

    /** A member without the batch's serializer (an older version of this jar): batches stop, decisions go alone. */
    private void failed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HazelcastSerializationException || t instanceof ClassNotFoundException) {
                if (!disabled) {
                    disabled = true;
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: a Hazelcast member could not run a batch of decisions "
                            + "({0}); decisions are sent one by one from now on. Give every member this version of "
                            + "usage-plans-hazelcast and its serializers (Serializers$DecideBatchSerializer).", t.toString());
                }
                return;
            }
        }
    }
}
