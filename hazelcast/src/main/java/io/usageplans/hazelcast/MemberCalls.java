package io.usageplans.hazelcast;

import java.util.concurrent.CompletableFuture;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import com.hazelcast.spi.impl.SerializationServiceSupport;

/**
 * Entry processors started from a member without Hazelcast's hand-off of every answer to another thread.
 *
 * <p>{@code IMap.submitToKey} wraps the invocation's future in one that completes itself through
 * {@code whenCompleteAsync} on Hazelcast's default async executor, which is {@code ForkJoinPool.commonPool()}, or,
 * where the common pool has a parallelism of 1 (machines with 2 cores or fewer), <em>a new thread per call</em>. On
 * a 2-core member that thread start was most of a decision's CPU (JFR: about 1 ms per request). This class waits on
 * the invocation's own future instead, which the response thread completes directly, and deserializes the answer on
 * the calling thread, as {@code IMap.executeOnKey} does, while keeping the store's own timeout (which executeOnKey
 * has not). It uses Hazelcast's member-side proxy ({@code MapProxyImpl.executeOnKeyInternal}); where that is not
 * what the instance hands out (a client, another Hazelcast version), {@link #of} answers null and the store uses
 * {@code submitToKey}.
 */
final class MemberCalls {

    private final MapProxyImpl<String, KeyUsage> proxy;
    private final SerializationService serialization;

    private MemberCalls(MapProxyImpl<String, KeyUsage> proxy, SerializationService serialization) {
        this.proxy = proxy;
        this.serialization = serialization;
    }

    /** Direct calls on {@code map}, or null where the instance is not a member of the Hazelcast this was built for. */
    @SuppressWarnings("unchecked")
    static MemberCalls of(HazelcastInstance hazelcast, IMap<String, KeyUsage> map) {
        if (map instanceof MapProxyImpl<?, ?> proxy && hazelcast instanceof SerializationServiceSupport support) {
            return new MemberCalls((MapProxyImpl<String, KeyUsage>) proxy, support.getSerializationService());
        }
        return null;
    }

    /** Starts {@code processor} on the key's owner; the future's value goes through {@link #resolve}. */
    @SuppressWarnings("unchecked")
    CompletableFuture<Object> submit(String key, EntryProcessor<String, KeyUsage, ?> processor) {
        return (CompletableFuture<Object>) (CompletableFuture<?>) proxy.executeOnKeyInternal(key, processor);
    }

    /**
     * Deletes {@code key}'s entry, as {@code IMap.deleteAsync} does, but answers with the invocation's own future:
     * deleteAsync's completes through the default async executor (a thread per call on 2 cores or fewer).
     */
    CompletableFuture<Object> delete(String key) {
        com.hazelcast.spi.impl.NodeEngine engine = proxy.getNodeEngine();
        Data data = serialization.toData(key);
        com.hazelcast.map.impl.MapService service = engine.getService(com.hazelcast.map.impl.MapService.SERVICE_NAME);
        com.hazelcast.map.impl.operation.MapOperation delete = service.getMapServiceContext()
                .getMapOperationProvider(proxy.getName()).createDeleteOperation(proxy.getName(), data, false);
        delete.setThreadId(com.hazelcast.internal.util.ThreadUtil.getThreadId());
        return engine.getOperationService().invokeOnPartition(com.hazelcast.map.impl.MapService.SERVICE_NAME, delete,
                engine.getPartitionService().getPartitionId(data));
    }

    /**
     * Runs {@code action} when {@code call} completes, on Hazelcast's own async pool. Hazelcast's invocation futures run
     * even their non-async dependents ({@code whenComplete}, {@code thenApply}) on its default async executor, which on
     * 2 cores or fewer starts a thread per call; the thread completing them (a response thread) may not make remote calls.
     */
    <T> void whenDone(CompletableFuture<T> call, java.util.function.BiConsumer<? super T, ? super Throwable> action) {
        call.whenCompleteAsync(action, proxy.getNodeEngine().getExecutionService()
                .getExecutor(com.hazelcast.spi.impl.executionservice.ExecutionService.ASYNC_EXECUTOR));
    }

    /** An answer as an object. */
    Object resolve(Object value) {
        return value instanceof Data data ? serialization.toObject(data) : value;
    }
}
