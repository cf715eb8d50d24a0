package io.usageplans.routing;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.StageThrottle;
import io.usageplans.annotation.Unmetered;
import io.usageplans.annotation.UsagePlan;

/**
 * Reads {@link UsagePlan}, {@link MethodThrottle} and {@link Unmetered} from a class and one of its methods into a
 * {@link RouteDefinition}, the same way for servlets, JAX-RS resources and CDI beans. Runs at start-up only.
 */
public final class AnnotatedRoutes {

    private AnnotatedRoutes() {
    }

    /** Whether the class or any method it or its superclasses declare (of any visibility) carries one of the annotations. */
    public static boolean isAnnotated(Class<?> type) {
        if (type.isAnnotationPresent(UsagePlan.class)) {
            return true;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (isAnnotated(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the method carries one of the annotations. */
    public static boolean isAnnotated(Method method) {
        return method.isAnnotationPresent(UsagePlan.class) || method.isAnnotationPresent(MethodThrottle.class)
                || method.isAnnotationPresent(Unmetered.class) || method.isAnnotationPresent(StageThrottle.class);
    }

    /**
     * The route for {@code method} of {@code type} at {@code key} (null for bean methods), or empty when neither
     * carries an annotation. Fails with a message naming the class, the method and the value for bad values.
     */
    public static Optional<RouteDefinition> read(Class<?> type, Method method, MethodKey key, String id) {
        String source = type.getName() + "#" + method.getName();
        UsagePlan onMethod = method.getAnnotation(UsagePlan.class);
        UsagePlan onClass = type.getAnnotation(UsagePlan.class);
        MethodThrottle throttle = method.getAnnotation(MethodThrottle.class);
        boolean unmetered = method.isAnnotationPresent(Unmetered.class);
        Throttle stageThrottle = stageThrottle(method.getAnnotation(StageThrottle.class), source);
        if (unmetered) {
            if (onClass == null) {
                throw new UsagePlansConfigException(source, "@Unmetered", 0, "@Unmetered opts a method out of its class's "
                        + "@UsagePlan, but " + type.getName() + " has no @UsagePlan; remove @Unmetered (the method is not metered anyway)");
            }
            if (onMethod != null || throttle != null) {
                throw new UsagePlansConfigException(source, "@Unmetered", 0,
                        "a method cannot be @Unmetered and carry @UsagePlan or @MethodThrottle");
            }
            return Optional.of(new RouteDefinition(id, key, Set.of(), null, Set.of(), true, source, 1, null, stageThrottle, null));
        }
        if (onMethod == null && onClass == null && throttle == null) {
            // a stage throttle alone: every caller shares its bucket, and no key is needed (not metered per key)
            return stageThrottle == null ? Optional.empty() : Optional.of(new RouteDefinition(id, key, Set.of(), null,
                    Set.of(), true, source, 1, null, stageThrottle, null));
        }
        UsagePlan effective = onMethod != null ? onMethod : onClass;
        Set<String> plans = effective == null ? Set.of() : names(effective.value(), source, "@UsagePlan");
        String keyless = effective == null || effective.keyless().isBlank() ? null : effective.keyless().trim();
        if (keyless != null && !plans.isEmpty()) {
            throw new UsagePlansConfigException(source, "@UsagePlan.keyless", 0, "keyless = \"" + keyless + "\" meters callers "
                    + "without a key, by client address, but plans " + plans + " are named too; name either plans or keyless");
        }
        Throttle methodThrottle = null;
        Set<String> throttlePlans = Set.of();
        int cost = 1;
        String bucket = null;
        if (throttle != null) {
            if (throttle.rate() != 0 || throttle.burst() != 0) {
                try {
                    methodThrottle = Throttle.rateLimit(throttle.rate()).burstLimit(throttle.burst());
                } catch (IllegalArgumentException e) {
                    String attribute = e.getMessage().startsWith("rateLimit") ? "rate" : "burst";
                    throw new UsagePlansConfigException(source, "@MethodThrottle." + attribute, 0,
                            e.getMessage().replaceFirst("^(rateLimit|burstLimit)", attribute));
                }
            }
            if (throttle.cost() < 1) {
                throw new UsagePlansConfigException(source, "@MethodThrottle.cost", 0,
                        "cost must be a whole number of at least 1, was " + throttle.cost());
            }
            cost = throttle.cost();
            bucket = throttle.bucket().isBlank() ? null : throttle.bucket().trim();
            if (bucket != null && methodThrottle == null) {
                throw new UsagePlansConfigException(source, "@MethodThrottle.bucket", 0, "bucket '" + bucket
                        + "' needs rate and burst");
            }
            if (methodThrottle == null && cost == 1) {
                throw new UsagePlansConfigException(source, "@MethodThrottle", 0,
                        "set rate and burst (a method throttle), a cost above 1, or both");
            }
            throttlePlans = names(throttle.plans(), source, "@MethodThrottle.plans");
        }
        if (keyless != null && methodThrottle != null) {
            throw new UsagePlansConfigException(source, "@MethodThrottle", 0, "a keyless method (@UsagePlan(keyless = \""
                    + keyless + "\")) is limited by its plan per client address; a per-key @MethodThrottle has no key to apply to");
        }
        return Optional.of(new RouteDefinition(id, key, plans, methodThrottle, throttlePlans, false, source, cost, bucket,
                stageThrottle, keyless));
    }

    private static Throttle stageThrottle(StageThrottle annotation, String source) {
        if (annotation == null) {
            return null;
        }
        try {
            return Throttle.rateLimit(annotation.rate()).burstLimit(annotation.burst());
        } catch (IllegalArgumentException e) {
            String attribute = e.getMessage().startsWith("rateLimit") ? "rate" : "burst";
            throw new UsagePlansConfigException(source, "@StageThrottle." + attribute, 0,
                    e.getMessage().replaceFirst("^(rateLimit|burstLimit)", attribute));
        }
    }

    private static Set<String> names(String[] values, String source, String attribute) {
        Set<String> names = new LinkedHashSet<>();
        for (String value : values) {
            if (value == null || value.isBlank()) {
                throw new UsagePlansConfigException(source, attribute, 0, "a plan name must not be empty");
            }
            names.add(value.trim());
        }
        return names;
    }

    /** Validates that every plan named by the routes exists in the catalog; the message names the route's source. */
    public static void checkPlansExist(List<RouteDefinition> routes, Catalog catalog) {
        for (RouteDefinition route : routes) {
            for (String plan : route.plans()) {
                if (catalog.plan(plan).isEmpty()) {
                    throw unknownPlan(route, "@UsagePlan", plan, catalog);
                }
            }
            if (route.keylessPlan() != null && catalog.plan(route.keylessPlan()).isEmpty()) {
                throw unknownPlan(route, "@UsagePlan.keyless", route.keylessPlan(), catalog);
            }
            for (String plan : route.throttlePlans()) {
                if (catalog.plan(plan).isEmpty()) {
                    throw unknownPlan(route, "@MethodThrottle.plans", plan, catalog);
                }
            }
        }
    }

    private static UsagePlansConfigException unknownPlan(RouteDefinition route, String attribute, String plan, Catalog catalog) {
        List<String> known = catalog.plans().stream().map(Plan::name).toList();
        return new UsagePlansConfigException(route.source(), attribute, 0, "unknown plan '" + plan + "'; the plan file defines " + known);
    }
}
