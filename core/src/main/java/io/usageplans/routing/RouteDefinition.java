package io.usageplans.routing;

import java.util.Objects;
import java.util.Set;

import io.usageplans.MethodKey;
import io.usageplans.Throttle;

/**
 * One metered (or explicitly unmetered) method, as an adapter found it: from an annotated JAX-RS resource,
 * servlet or bean method. Routes and the plan file's method throttles compile into one route table.
 *
 * @param id            unique, e.g. {@code com.acme.PetsResource#get(long)}; interceptors look routes up by it
 * @param methodKey     the HTTP method and path template, or null for a bean method no request maps to
 * @param plans         the plans that may call; empty means any plan of the key on this stage
 * @param throttle      the method-level throttle, or null
 * @param throttlePlans the plans the throttle applies to; empty means all
 * @param unmetered     opted out: no key needed, nothing counted
 * @param source        where it was declared, for error messages: {@code com.acme.PetsResource#get}
 * @param cost          units a call is charged against every throttle and the quota, at least 1
 * @param bucket        a bucket name shared with other methods, or null
 * @param stageThrottle a throttle for all callers of this method together (the stage's bucket), or null
 * @param keylessPlan   the plan that meters callers without a key, each client address on its own, or null
 */
public record RouteDefinition(String id, MethodKey methodKey, Set<String> plans, Throttle throttle,
                              Set<String> throttlePlans, boolean unmetered, String source, int cost, String bucket,
                              Throttle stageThrottle, String keylessPlan) {

    public RouteDefinition {
        Objects.requireNonNull(id, "id");
        plans = Set.copyOf(Objects.requireNonNullElse(plans, Set.of()));
        throttlePlans = Set.copyOf(Objects.requireNonNullElse(throttlePlans, Set.of()));
        source = source == null ? id : source;
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be at least 1, was " + cost);
        }
        bucket = bucket == null || bucket.isBlank() ? null : bucket;
        keylessPlan = keylessPlan == null || keylessPlan.isBlank() ? null : keylessPlan;
    }

    /** A route without a stage throttle, metered by key. */
    public RouteDefinition(String id, MethodKey methodKey, Set<String> plans, Throttle throttle, Set<String> throttlePlans,
                           boolean unmetered, String source, int cost, String bucket) {
        this(id, methodKey, plans, throttle, throttlePlans, unmetered, source, cost, bucket, null, null);
    }

    /** A route with cost 1 and a bucket of its own. */
    public RouteDefinition(String id, MethodKey methodKey, Set<String> plans, Throttle throttle, Set<String> throttlePlans,
                           boolean unmetered, String source) {
        this(id, methodKey, plans, throttle, throttlePlans, unmetered, source, 1, null);
    }

    /** The same route, served at another path (a servlet with several mappings, a JAX-RS application path). */
    public RouteDefinition at(MethodKey key, String newId) {
        return new RouteDefinition(newId, key, plans, throttle, throttlePlans, unmetered, source, cost, bucket, stageThrottle,
                keylessPlan);
    }
}
