package io.usageplans.store.shared;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one action on a daemon thread of its own, once for all the {@link #request()}s made before that run starts. A
 * clustered key catalog hears one change per key; a bulk change (an import, a reload of many keys) made on another
 * member would otherwise rebuild this member's whole catalog once per key. Every request made before a run starts is
 * covered by it, since the run reads the state after it began; a request made during a run queues one more.
 */
public final class CoalescingRunner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CoalescingRunner.class.getName());

    private final Runnable action;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ThreadPoolExecutor thread;

    /** @param threadName the name of the thread, started at the first request and ended after 30 s without one */
    public CoalescingRunner(String threadName, Runnable action) {
        this.action = action;
        this.thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread started = new Thread(runnable, threadName);
            started.setDaemon(true);
            return started;
        });
        thread.allowCoreThreadTimeOut(true);
    }

    /** Runs the action soon, unless a run that has not started yet is already queued. */
    public void request() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(this::run);
            } catch (RejectedExecutionException e) {
                queued.set(false); // closed: nothing runs any more
            }
        }
    }

    private void run() {
        queued.set(false);
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: " + Thread.currentThread().getName() + " failed", e);
        }
    }

    /** Stops the thread; a run under way is interrupted, and no request runs the action any more. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
