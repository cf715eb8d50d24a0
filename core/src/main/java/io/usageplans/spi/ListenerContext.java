package io.usageplans.spi;

import java.util.List;

import io.usageplans.QuotaWindow;

/**
 * What a {@link UsageListener} may read of the engine it listens to, from {@link UsageListener#started} on: for gauges
 * (the keys a store holds, the quota a plan's keys used) rather than for each decision.
 */
public interface ListenerContext {

    /** The stage the engine meters. */
    String stage();

    /** The names of the plans on this stage, in catalog order. */
    List<String> stagePlans();

    /** The plan's current quota period, or null when it has no quota or is not on this stage. */
    QuotaWindow quotaWindow(String planName);

    /** The keys the engine knows now (keys added at run time included). */
    KeyDirectory keyDirectory();

    /** The store deciding the engine's requests. */
    UsageStore store();

    /** The engine's time source. */
    java.time.Clock clock();
}
