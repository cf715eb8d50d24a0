package io.usageplans.spi;

import io.usageplans.Catalog;

/**
 * What an engine offers the store it runs on, once it compiled its catalog ({@link UsageStore#started}): a clustered
 * store shares the key catalog and the plans with the other members through it. Nothing else of the engine is reachable from a store.
 */
public interface StoreContext {

    /** The catalog the engine runs on now: the plan file's plans and keys, or the keys a store installed since. */
    Catalog catalog();

    /**
     * Replaces plans and keys without a restart, validated as a whole; requests already being decided finish on the
     * old catalog, and state in the store is kept.
     */
    void replaceCatalog(Catalog catalog);

    /**
     * Checks {@code catalog} as {@link #replaceCatalog} would (with the annotated routes), without installing it: a
     * clustered store checks a change here before it shares it.
     *
     * @throws io.usageplans.UsagePlansConfigException if it is invalid
     */
    void checkCatalog(Catalog catalog);

    /** Replaces where keys are changed at run time: a clustered store installs one that every member shares. */
    void useKeyDirectory(KeyDirectory directory);

    /** Replaces where plans are changed at run time: a clustered store installs one that every member shares. */
    void usePlanDirectory(PlanDirectory directory);
}
