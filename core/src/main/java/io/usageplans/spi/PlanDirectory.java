package io.usageplans.spi;

import java.util.List;
import java.util.function.UnaryOperator;

import io.usageplans.Plan;

/**
 * Where the usage plans of a running engine are created, changed and removed (AWS's CreateUsagePlan, UpdateUsagePlan,
 * DeleteUsagePlan) and where a reloaded plan file's plans are put, with effect for the next request on every member
 * that shares it. The engine's own directory changes its catalog in this JVM; a clustered store replaces it (see
 * {@link StoreContext#usePlanDirectory}) with one every member shares, so that a change reaches all of them and a
 * member that joins later starts on the current plans.
 *
 * <p>Every change is validated with the keys and annotated routes as a whole, like a plan file, and applied
 * atomically: all of it or, with an {@link io.usageplans.UsagePlansConfigException}, none of it. Requests already being
 * decided finish on the plans they started with. Throttle and quota state is kept by key and plan name, so a changed
 * limit applies to the current tokens and the current period's counter.
 */
public interface PlanDirectory {

    /** The plans as this member sees them now, in the order of the plan file (plans created since come last). */
    List<Plan> plans();

    /**
     * Adds {@code plan}.
     *
     * @throws IllegalArgumentException if a plan of that name exists
     * @throws io.usageplans.UsagePlansConfigException if the catalog with it would be invalid
     */
    void create(Plan plan);

    /**
     * Replaces plan {@code name} with {@code change} applied to its current version, atomically against other changes;
     * returns the new version. The name cannot change.
     *
     * @throws java.util.NoSuchElementException if there is no such plan
     * @throws io.usageplans.UsagePlansConfigException if the catalog with the changed plan would be invalid
     */
    Plan update(String name, UnaryOperator<Plan> change);

    /**
     * Removes plan {@code name}.
     *
     * @throws java.util.NoSuchElementException if there is no such plan
     * @throws io.usageplans.UsagePlansConfigException if keys or annotated routes still use it
     */
    void remove(String name);

    /**
     * Replaces all plans at once (a reloaded plan file): validated as a whole and applied atomically.
     *
     * @throws io.usageplans.UsagePlansConfigException if the catalog with these plans would be invalid; nothing changes
     */
    void replaceAll(List<Plan> plans);

    /**
     * {@code plans} with {@code plan} added at the end; for implementations.
     *
     * @throws IllegalArgumentException if a plan of that name is there already
     */
    static List<Plan> adding(List<Plan> plans, Plan plan) {
        if (plans.stream().anyMatch(p -> p.name().equals(plan.name()))) {
            throw new IllegalArgumentException("usage-plans: a plan named '" + plan.name() + "' exists already");
        }
        List<Plan> all = new java.util.ArrayList<>(plans);
        all.add(plan);
        return all;
    }

    /**
     * {@code plans} with plan {@code name} replaced by {@code change} applied to it, in its place; for implementations.
     *
     * @throws java.util.NoSuchElementException if there is no such plan
     * @throws IllegalArgumentException         if the change renames it
     */
    static List<Plan> changing(List<Plan> plans, String name, UnaryOperator<Plan> change) {
        List<Plan> all = new java.util.ArrayList<>(plans);
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).name().equals(name)) {
                Plan changed = change.apply(all.get(i));
                if (!changed.name().equals(name)) {
                    throw new IllegalArgumentException("a plan's name cannot change: " + name + " -> " + changed.name());
                }
                all.set(i, changed);
                return all;
            }
        }
        throw new java.util.NoSuchElementException("usage-plans: no plan named '" + name + "'");
    }

    /**
     * {@code plans} without plan {@code name}; for implementations.
     *
     * @throws java.util.NoSuchElementException if there is no such plan
     */
    static List<Plan> removing(List<Plan> plans, String name) {
        List<Plan> all = new java.util.ArrayList<>(plans);
        if (!all.removeIf(p -> p.name().equals(name))) {
            throw new java.util.NoSuchElementException("usage-plans: no plan named '" + name + "'");
        }
        return all;
    }
}
