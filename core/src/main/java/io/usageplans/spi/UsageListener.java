package io.usageplans.spi;

import io.usageplans.Decision;

/**
 * Hears every metered decision: allowed, throttled, quota exceeded, forbidden (with {@link Decision#forbiddenReason()})
 * or unavailable. For metrics, audit logs and alerts. In shadow (report-only) mode a refusal is heard with
 * {@link Decision#wouldRefuse()} true: its outcome is what enforcing would have answered, but the request was served. Called on the request thread right after the decision, so it
 * must be quick and must not block; an exception it throws is logged and does not change the decision.
 *
 * <p>Register one with {@code UsagePlans.addListener}, or list its class in
 * {@code META-INF/services/io.usageplans.spi.UsageListener} to have every engine find it (it then needs a public
 * no-argument constructor). The decision's {@link Decision#apiKey()} is the key's name and hashes only, never its value.
 */
@FunctionalInterface
public interface UsageListener {

    /**
     * @param decision   what was decided, with the key, plan and limits that applied
     * @param stage      the engine's stage
     * @param httpMethod the request's method ({@code CALL} for a metered bean method called outside a request)
     * @param path       the path within the application, or the bean method for {@code CALL}
     */
    void onDecision(Decision decision, String stage, String httpMethod, String path);

    /**
     * A plan's alert was raised ({@code alerts:} in the plan file): a key's quota reached a threshold, or it was
     * throttled for the first time in a period. Each alert is heard once per key, threshold and period, on one member of
     * a cluster. Called on the engine's alert thread, never on a request's; the default does nothing.
     */
    default void onAlert(io.usageplans.UsageAlert alert) {
    }

    /**
     * The engine this listener was added to has started (or the listener was added to a running engine): a listener
     * that reads the engine (gauges) keeps {@code context}. The default does nothing.
     */
    default void started(ListenerContext context) {
    }

    /** The engine closed, or the listener was removed: release what {@link #started} registered. The default does nothing. */
    default void closed() {
    }
}
