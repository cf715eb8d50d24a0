package io.usageplans.manage;

import java.time.Clock;
import java.util.Optional;

import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.PlanDirectory;
import io.usageplans.spi.UsageStore;

/**
 * What an engine offers the operator's side ({@link UsagePlansAdmin}): its catalog and stage, its clock, its store and
 * where keys change. {@code UsagePlans.admin()} hands one over; nothing else of the engine is reachable from
 * {@code manage}, as {@link io.usageplans.spi.StoreContext} is all a store sees.
 */
public interface AdminContext {

    /** The catalog the engine runs on now: the plan file's plans and keys, and the keys added since. */
    Catalog catalog();

    /** The stage the engine meters, e.g. {@code test}. */
    String stage();

    /** The plan named {@code name} as the engine compiled it, if it applies to the engine's stage. */
    Optional<Plan> planOnStage(String name);

    /** The current quota period of plan {@code planName} on the engine's clock, or null if it has no quota. */
    QuotaWindow quotaWindow(String planName);

    /** The engine's time source (rotation grace periods, quota changes). */
    Clock clock();

    /** Where bucket, quota and usage-history state lives. */
    UsageStore store();

    /** Where keys are added, changed and removed at run time: this JVM's catalog, or the cluster's shared keys. */
    KeyDirectory keyDirectory();

    /** Where plans are created, changed and removed at run time: this JVM's catalog, or the cluster's shared plans. */
    PlanDirectory planDirectory();
}
