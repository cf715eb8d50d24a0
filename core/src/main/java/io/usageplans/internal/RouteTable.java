package io.usageplans.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.MethodKey;
import io.usageplans.RouteDefinition;
import io.usageplans.Throttle;

/**
 * The one table the request path consults: every annotated method and every method throttle of the plan file,
 * merged by AWS method key ({@code /pets/{}/GET}), ordered most specific first, with each route's throttle
 * compiled per plan. When the plan file and an annotation throttle the same method for a plan, the plan file wins.
 */
public final class RouteTable {

    private static final System.Logger LOG = System.getLogger(RouteTable.class.getName());

    /** A compiled route: who may call it and which method throttle each plan gets. */
    public static final class Route {
        private final String id;
        private final MethodKey key;
        private final Set<String> requiredPlans;
        private final boolean unmetered;
        private final MethodRoute[] throttleByPlan;
        private final String source;

        Route(String id, MethodKey key, Set<String> requiredPlans, boolean unmetered, MethodRoute[] throttleByPlan, String source) {
            this.id = id;
            this.key = key;
            this.requiredPlans = requiredPlans;
            this.unmetered = unmetered;
            this.throttleByPlan = throttleByPlan;
            this.source = source;
        }

        public String id() {
            return id;
        }

        /** The HTTP method and path, or null for a bean method. */
        public MethodKey key() {
            return key;
        }

        public boolean unmetered() {
            return unmetered;
        }

        /** Whether a key on {@code plan} may call this route. */
        public boolean allows(CompiledPlan plan) {
            return requiredPlans == null || requiredPlans.contains(plan.name());
        }

        /** The plans that may call, or null for any. */
        public Set<String> requiredPlans() {
            return requiredPlans;
        }

        /** The method throttle for keys on {@code plan}, or null. */
        public MethodRoute throttleFor(CompiledPlan plan) {
            return plan.index < throttleByPlan.length ? throttleByPlan[plan.index] : null;
        }

        /** Where the route was declared, for logs. */
        public String source() {
            return source;
        }
    }

    private final Route[] httpRoutes;
    private final Map<String, Route> byId;
    private final boolean annotated;
    private final Route stageDefault;

    /**
     * @param plans       the plans on this stage, at their {@link CompiledPlan#index}
     * @param definitions routes found by adapters (annotations), already checked against the catalog
     */
    public RouteTable(List<CompiledPlan> plans, Map<CompiledPlan, Map<MethodKey, Throttle>> planFileThrottles,
                      List<RouteDefinition> definitions) {
        Map<String, Draft> drafts = new LinkedHashMap<>();
        Map<String, Route> ids = new HashMap<>();
        List<Draft> beanDrafts = new ArrayList<>();
        for (RouteDefinition d : definitions) {
            if (d.methodKey() == null) {
                beanDrafts.add(new Draft(d.id(), null, d, plans.size()));
                continue;
            }
            String normalized = d.methodKey().normalized();
            Draft existing = drafts.get(normalized);
            if (existing == null) {
                // an annotated method is one endpoint: one bucket per key, whichever of its paths is called
                drafts.put(normalized, new Draft(d.source(), d.methodKey(), d, plans.size()));
            } else if (existing.definition != null) {
                existing.aliases.add(d.id());
                if (!sameRules(existing.definition, d)) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: {0} and {1} both serve {2} with different annotations; "
                            + "the rules of {1} apply to both", d.source(), existing.definition.source(), d.methodKey());
                }
            }
        }
        for (CompiledPlan plan : plans) {
            for (Map.Entry<MethodKey, Throttle> e : planFileThrottles.getOrDefault(plan, Map.of()).entrySet()) {
                String normalized = e.getKey().normalized();
                Draft draft = drafts.computeIfAbsent(normalized, n -> new Draft(n, e.getKey(), null, plans.size()));
                RouteDefinition annotated = draft.definition;
                if (annotated != null && annotated.throttle() != null && appliesTo(annotated, plan.name())) {
                    LOG.log(System.Logger.Level.INFO, "usage-plans: {0} on plan {1}: the plan file''s throttle (rate {2}, burst {3}) "
                            + "wins over @MethodThrottle on {4}", e.getKey(), plan.name(), e.getValue().rateLimit(),
                            e.getValue().burstLimit(), annotated.source());
                }
                draft.throttles[plan.index] = new MethodRoute(plan.name(), draft.bucketId, e.getKey().toString(), e.getValue());
            }
        }
        List<Route> http = new ArrayList<>();
        for (Draft draft : drafts.values()) {
            Route route = draft.compile(plans);
            http.add(route);
            ids.put(route.id, route);
            for (String alias : draft.aliases) {
                ids.put(alias, route);
            }
            if (draft.definition != null) {
                ids.put(draft.definition.id(), route);
            }
        }
        for (Draft draft : beanDrafts) {
            Route route = draft.compile(plans);
            ids.put(route.id, route);
        }
        http.sort((a, b) -> MethodKey.compareSpecificity(a.key, b.key));
        this.httpRoutes = http.toArray(new Route[0]);
        this.byId = Map.copyOf(ids);
        this.annotated = definitions.stream().anyMatch(d -> d.methodKey() != null);
        this.stageDefault = new Route("(stage)", null, null, false, new MethodRoute[0], "the stage");
    }

    /**
     * The route for a request: the most specific match; else, when no annotated route exists, the whole stage
     * (every request needs a key on any plan); else null (not metered: AWS's "API key not required").
     */
    public Route match(String method, String path) {
        for (Route route : httpRoutes) {
            if (route.key.matches(method, path)) {
                return route;
            }
        }
        return annotated ? null : stageDefault;
    }

    /** A route by the id its adapter gave it (interceptors use this), or null. */
    public Route byId(String id) {
        return byId.get(id);
    }

    /** Whether annotations decide what is metered (otherwise every request of the stage is). */
    public boolean annotated() {
        return annotated;
    }

    public int size() {
        return byId.size();
    }

    private static boolean appliesTo(RouteDefinition d, String plan) {
        return d.throttlePlans().isEmpty() || d.throttlePlans().contains(plan);
    }

    private static boolean sameRules(RouteDefinition a, RouteDefinition b) {
        return a.plans().equals(b.plans()) && a.unmetered() == b.unmetered() && a.throttlePlans().equals(b.throttlePlans())
                && java.util.Objects.equals(a.throttle(), b.throttle());
    }

    private static final class Draft {
        final String bucketId;
        final MethodKey key;
        final RouteDefinition definition;
        final MethodRoute[] throttles;
        final List<String> aliases = new ArrayList<>();

        Draft(String bucketId, MethodKey key, RouteDefinition definition, int plans) {
            this.bucketId = bucketId;
            this.key = key;
            this.definition = definition;
            this.throttles = new MethodRoute[plans];
        }

        Route compile(List<CompiledPlan> plans) {
            MethodRoute[] perPlan = Arrays.copyOf(throttles, throttles.length);
            Set<String> required = null;
            boolean unmetered = false;
            String source = "the plan file";
            String id = key == null ? bucketId : key.toString();
            if (definition != null) {
                required = definition.plans().isEmpty() ? null : definition.plans();
                unmetered = definition.unmetered();
                source = definition.source();
                id = definition.id();
                if (definition.throttle() != null) {
                    String display = key == null ? definition.source() : key.toString();
                    for (CompiledPlan plan : plans) {
                        if (perPlan[plan.index] == null && appliesTo(definition, plan.name())) {
                            perPlan[plan.index] = new MethodRoute(plan.name(), bucketId, display, definition.throttle());
                        }
                    }
                }
            }
            return new Route(id, key, required, unmetered, perPlan, source);
        }
    }
}
