package io.usageplans.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import io.usageplans.Decision;
import io.usageplans.spi.UsageListener;

/**
 * The listeners of one engine: those given, those listed in {@code META-INF/services}, and those added later. A failing
 * listener is logged (at most every 10 s) and ignored: the decision stands.
 */
final class ListenerRegistry {

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private volatile UsageListener[] listeners;
    private final RateLimitedLog failures = new RateLimitedLog(System::nanoTime, FAILURE_LOG_INTERVAL_NANOS);

    ListenerRegistry(List<UsageListener> given, boolean discover) {
        List<UsageListener> found = new ArrayList<>(given);
        if (discover) {
            Iterator<UsageListener> discovered = ServiceLoader.load(UsageListener.class,
                    ListenerRegistry.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!discovered.hasNext()) {
                        break;
                    }
                    found.add(discovered.next());
                } catch (ServiceConfigurationError | LinkageError e) {
                    // a listener whose own dependencies are missing must not stop the application
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: a listener listed in META-INF/services could not be "
                            + "loaded and is skipped: " + e);
                }
            }
        }
        this.listeners = found.toArray(new UsageListener[0]);
    }

    /** Tells every listener about a metered decision. */
    void heard(Decision decision, String stage, String httpMethod, String path) {
        for (UsageListener listener : listeners) {
            try {
                listener.onDecision(decision, stage, httpMethod, path);
            } catch (RuntimeException e) {
                if (failures.due()) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: listener " + listener.getClass().getName()
                            + " failed; the decision stands (further failures are not logged for 10 s)", e);
                }
            }
        }
    }

    /** Tells every listener about an alert (on the alert thread). */
    void alerted(io.usageplans.UsageAlert alert) {
        for (UsageListener listener : listeners) {
            try {
                listener.onAlert(alert);
            } catch (RuntimeException e) {
                if (failures.due()) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: listener " + listener.getClass().getName()
                            + " failed on an alert (further failures are not logged for 10 s)", e);
                }
            }
        }
    }

    /** The engine started: every listener hears it (a failing one is logged and skipped). */
    void started(io.usageplans.spi.ListenerContext context) {
        for (UsageListener listener : listeners) {
            started(listener, context);
        }
    }

    static void started(UsageListener listener, io.usageplans.spi.ListenerContext context) {
        try {
            listener.started(context);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: listener " + listener.getClass().getName()
                    + " failed to start; it still hears decisions", e);
        }
    }

    /** The engine closed. */
    void closed() {
        for (UsageListener listener : listeners) {
            closed(listener);
        }
    }

    static void closed(UsageListener listener) {
        try {
            listener.closed();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: listener " + listener.getClass().getName() + " failed to close", e);
        }
    }

    /** The listeners now, in the order they hear a decision. */
    List<UsageListener> list() {
        return List.of(listeners);
    }

    synchronized void add(UsageListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<UsageListener> all = new ArrayList<>(List.of(listeners));
        all.add(listener);
        listeners = all.toArray(new UsageListener[0]);
    }

    synchronized boolean remove(UsageListener listener) {
        List<UsageListener> all = new ArrayList<>(List.of(listeners));
        boolean removed = all.remove(listener);
        listeners = all.toArray(new UsageListener[0]);
        return removed;
    }
}
