package io.usageplans.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NoSuchElementException;
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

    /**
     * Replaces each of {@code keys} (matched by name) with that version: a reload that changes many keys at once. The
     * engine's own directory checks and installs them together, all or none, with one new catalog; the default
     * applies them one by one with {@link #update}, stopping at the first refused.
     *
     * @throws NoSuchElementException if one of them is not there
     */
    default void replaceAll(List<ApiKey> keys) {
        for (ApiKey key : keys) {
            update(key.name(), current -> key);
        }
    }

    /**
     * {@code keys} with each of {@code replaced} in place of the key of its name, in {@code keys}' order: what a
     * directory checks as a whole before it applies a {@link #replaceAll}.
     *
     * @throws NoSuchElementException naming a key of {@code replaced} that {@code keys} lacks
     */
    static List<ApiKey> replacing(Collection<ApiKey> keys, List<ApiKey> replaced) {
        java.util.Map<String, ApiKey> byName = new java.util.LinkedHashMap<>();
        replaced.forEach(key -> byName.put(key.name(), key));
        List<ApiKey> result = new ArrayList<>(keys.size());
        int found = 0;
        for (ApiKey key : keys) {
            ApiKey replacement = byName.get(key.name());
            found += replacement == null ? 0 : 1;
            result.add(replacement == null ? key : replacement);
        }
        if (found < byName.size()) {
            java.util.Set<String> there = new java.util.HashSet<>();
            keys.forEach(key -> there.add(key.name()));
            String missing = byName.keySet().stream().filter(name -> !there.contains(name)).findFirst().orElseThrow();
            throw new NoSuchElementException("no key named '" + missing + "'");
        }
        return result;
    }

    /**
     * Removes the keys named in {@code names} that are still there; returns the names it removed. The engine's own
     * directory does it with one new catalog; the default removes them one by one with {@link #remove}.
     */
    default List<String> removeAll(Collection<String> names) {
        List<String> removed = new ArrayList<>();
        for (String name : names) {
            try {
                remove(name);
                removed.add(name);
            } catch (NoSuchElementException e) {
                // removed meanwhile: what the caller wants
            }
        }
        return removed;
    }
}
