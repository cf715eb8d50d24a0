package io.usageplans.spi;

import java.util.List;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;

/**
 * Where the API keys of a running engine are changed: added, changed (enabled, plans, rotated) and removed, with
 * effect at once for the next request on every member that shares it. The engine's own directory changes its
 * catalog in this JVM; a clustered store replaces it (see {@link StoreContext#useKeyDirectory}) with one every member
 * shares. Changes are validated like the plan file (unknown plans, duplicate names or values fail).
 */
public interface KeyDirectory {

    /** The keys as this member sees them now. */
    List<ApiKey> keys();

    /** Adds all of {@code keys}, or none of them if any is invalid or already exists. */
    void add(List<ApiKey> keys);

    /**
     * Replaces key {@code name} with {@code change} applied to its current version, atomically against other
     * changes; returns the new version.
     *
     * @throws java.util.NoSuchElementException if there is no such key
     */
    ApiKey update(String name, UnaryOperator<ApiKey> change);

    /**
     * Removes key {@code name}.
     *
     * @throws java.util.NoSuchElementException if there is no such key
     */
    void remove(String name);
}
