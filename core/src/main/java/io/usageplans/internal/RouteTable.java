package io.usageplans.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;

/**
 * The one table the request path consults: every annotated method and every method entry of the plan file,
 * merged by AWS method key ({@code /pets/{}/GET}), ordered most specific first, with each route's method
 * throttle and cost compiled per plan. When the plan file and an annotation set the same method for a plan,
 * the plan file wins. Costs that could never pass and shared buckets with two shapes fail here, at start-up.
 */
final class RouteTable {

    private static final System.Logger LOG = System.getLogger(RouteTable.class.getName());

    /** A compiled route: who may call it, which method throttle and which cost each plan gets. */
    public static final class Route {
        private final String id;
        private final MethodKey key;
        private final Set<String> requiredPlans;
        private final boolean unmetered;
        private final MethodRoute[] throttleByPlan;
        private final long[] costByPlan;
        private final String source;
        private final StageBucket stage;
        private final CompiledPlan keyless;
        private final long keylessCost;
        /**
         * Whether only the plan file's {@code stages} name this method: it then adds the stage's bucket to whatever
         * less specific route the request also matches, and never changes who needs a key.
         */
        private boolean stageEntryOnly;
        /** This stage bucket over each less specific route it met, made once per pair. */
        private final java.util.concurrent.ConcurrentHashMap<Route, Route> over = new java.util.concurrent.ConcurrentHashMap<>();

        /** {@code other}'s rules (who may call, method throttles, costs, keyless plan) with this route's stage bucket. */
        Route over(Route other) {
            if (other == null) {
                return this;
            }
            return over.computeIfAbsent(other, o -> new Route(o.id, o.key, o.requiredPlans, o.unmetered, o.throttleByPlan,
                    o.costByPlan, o.source, stage, o.keyless, o.keylessCost));
        }

        Route(String id, MethodKey key, Set<String> requiredPlans, boolean unmetered, MethodRoute[] throttleByPlan,
              long[] costByPlan, String source, StageBucket stage, CompiledPlan keyless, long keylessCost) {
            this.stage = stage;
            this.keyless = keyless;
            this.keylessCost = keylessCost;
            this.id = id;
            this.key = key;
            this.requiredPlans = requiredPlans;
            this.unmetered = unmetered;
            this.throttleByPlan = throttleByPlan;
            this.costByPlan = costByPlan;
            this.source = source;
        }

        public String id() {
            return id;
        }

        /** The HTTP method and path, or null for a bean method. */
        public MethodKey key() {
            return key;
        }

        /** Not metered at all: no key needed, nothing counted (not even a stage throttle). */
        public boolean unmetered() {
            return unmetered && stage == null;
        }

        /** No key needed, and only the stage's bucket for all callers counts. */
        boolean stageOnly() {
            return unmetered && stage != null;
        }

        /** The stage's bucket for all callers of this route, or null. */
        StageBucket stage() {
            return stage;
        }

        /** The plan that meters callers by client address instead of a key, or null when callers need a key. */
        CompiledPlan keyless() {
            return keyless;
        }

        /** Units a keyless call is charged. */
        long keylessCost() {
            return keylessCost;
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

        /** Units a call by a key on {@code plan} is charged against every limit. */
        public long costFor(CompiledPlan plan) {
            return plan.index < costByPlan.length ? costByPlan[plan.index] : 1;
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
    private final boolean keyless;

    /**
     * @param plans       the plans on this stage, at their {@link CompiledPlan#index}
     * @param planFile    each plan's method entries on this stage, from the plan file
     * @param definitions routes found by adapters (annotations), already checked against the catalog
     * @param catalog     where the plan file's entries are (file and line), for the problems found here
     * @param stage       the stage, to name a method entry as the plan file has it
     * @throws UsagePlansConfigException with every problem: a shared bucket with two shapes, a cost that could never pass
     */
    public RouteTable(List<CompiledPlan> plans, Map<CompiledPlan, Map<MethodKey, MethodSettings>> planFile,
                      List<RouteDefinition> definitions, Catalog catalog, String stage) {
        this(plans, planFile, definitions, catalog, stage, Map.of());
    }

    /**
     * @param keylessPlans the plans keyless routes name, compiled (those on the stage at their index, others apart)
     */
    RouteTable(List<CompiledPlan> plans, Map<CompiledPlan, Map<MethodKey, MethodSettings>> planFile,
               List<RouteDefinition> definitions, Catalog catalog, String stage, Map<String, CompiledPlan> keylessPlans) {
        Map<String, Draft> drafts = new LinkedHashMap<>();
        List<Draft> beanDrafts = new ArrayList<>();
        for (RouteDefinition d : definitions) {
            if (d.methodKey() == null) {
                beanDrafts.add(new Draft(d.methodKey(), d, plans.size()));
                continue;
            }
            Draft existing = drafts.get(d.methodKey().normalized());
            if (existing == null) {
                drafts.put(d.methodKey().normalized(), new Draft(d.methodKey(), d, plans.size()));
            } else if (existing.definition != null) {
                existing.aliases.add(d.id());
                if (!sameRules(existing.definition, d)) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: {0} and {1} both serve {2} with different annotations; "
                            + "the rules of {1} apply to both", d.source(), existing.definition.source(), d.methodKey());
                }
            }
        }
        PlanFileEntries entries = new PlanFileEntries(catalog, stage);
        for (CompiledPlan plan : plans) {
            for (Map.Entry<MethodKey, MethodSettings> e : planFile.getOrDefault(plan, Map.of()).entrySet()) {
                Draft draft = drafts.computeIfAbsent(e.getKey().normalized(), n -> new Draft(e.getKey(), null, plans.size()));
                String entry = entries.entry(plan, e.getKey());
                RouteDefinition annotated = draft.definition;
                if (annotated != null && (annotated.throttle() != null || annotated.cost() != 1) && appliesTo(annotated, plan.name())) {
                    LOG.log(System.Logger.Level.INFO, "usage-plans: {0}: the plan file''s settings win over @MethodThrottle on "
                            + "{1} for plan {2}", entries.describe(entry), annotated.source(), plan.name());
                }
                draft.planFile[plan.index] = e.getValue();
                draft.planFileKey[plan.index] = e.getKey();
                draft.planFileEntry[plan.index] = entry;
            }
        }
        io.usageplans.StageSettings stageSettings = catalog.stageSettings(stage).orElse(null);
        Throttle stageDefault = stageSettings == null ? null : stageSettings.defaultThrottle();
        if (stageSettings != null) {
            for (Map.Entry<MethodKey, Throttle> e : stageSettings.throttles().entrySet()) {
                if (!io.usageplans.StageSettings.isDefault(e.getKey())) {
                    Draft draft = drafts.computeIfAbsent(e.getKey().normalized(), n -> new Draft(e.getKey(), null, plans.size()));
                    draft.stageThrottle = e.getValue();
                    draft.stageKey = e.getKey();
                    draft.stageEntry = "stages[" + stage + "].throttle[\"" + e.getKey() + "\"]";
                }
            }
            for (Map.Entry<MethodKey, String> e : stageSettings.keyless().entrySet()) {
                Draft draft = drafts.computeIfAbsent(e.getKey().normalized(), n -> new Draft(e.getKey(), null, plans.size()));
                draft.keylessPlan = e.getValue();
                draft.stageEntry = "stages[" + stage + "].keyless[\"" + e.getKey() + "\"]";
            }
        }
        boolean annotatedRoutes = definitions.stream().anyMatch(d -> d.methodKey() != null);
        Stage stageOfRoutes = new Stage(catalog.api(), stage, stageDefault, annotatedRoutes, keylessPlans, catalog);
        Map<String, Route> ids = new HashMap<>();
        Map<String, Object[]> sharedBuckets = new HashMap<>();
        List<UsagePlansConfigException> problems = new ArrayList<>();
        List<Route> http = new ArrayList<>();
        for (Draft draft : drafts.values()) {
            Route route = draft.compile(plans, sharedBuckets, entries, problems, stageOfRoutes);
            http.add(route);
            ids.put(route.id, route);
            draft.aliases.forEach(alias -> ids.put(alias, route));
        }
        for (Draft draft : beanDrafts) {
            Route route = draft.compile(plans, sharedBuckets, entries, problems, stageOfRoutes);
            ids.put(route.id, route);
        }
        UsagePlansConfigException.throwIfAny(problems);
        http.sort((a, b) -> MethodKey.compareSpecificity(a.key, b.key));
        this.httpRoutes = http.toArray(new Route[0]);
        this.byId = Map.copyOf(ids);
        this.annotated = annotatedRoutes;
        this.keyless = http.stream().anyMatch(r -> r.keyless != null) || ids.values().stream().anyMatch(r -> r.keyless != null);
        this.stageDefault = new Route("(stage)", null, null, false, new MethodRoute[0], new long[0], "the stage",
                stageDefault == null ? null : new StageBucket(catalog.api(), stage, io.usageplans.StageSettings.DEFAULT_METHOD,
                        io.usageplans.StageSettings.DEFAULT_METHOD, stageDefault, "stages[" + stage + "]"), null, 1);
    }

    /**
     * The route for a request: the most specific match; else, when no annotated route exists, the whole stage
     * (every request needs a key on any plan); else null (not metered: AWS's "API key not required").
     */
    public Route match(String method, String path) {
        for (int i = 0; i < httpRoutes.length; i++) {
            Route route = httpRoutes[i];
            if (route.key.matches(method, path)) {
                return route.stageEntryOnly ? route.over(next(i + 1, method, path)) : route;
            }
        }
        return annotated ? null : stageDefault;
    }

    /** The most specific route from {@code from} on that is not a stage entry alone; else as {@link #match} ends. */
    private Route next(int from, String method, String path) {
        for (int i = from; i < httpRoutes.length; i++) {
            Route route = httpRoutes[i];
            if (!route.stageEntryOnly && route.key.matches(method, path)) {
                return route;
            }
        }
        return annotated ? null : stageDefault;
    }

    /**
     * The route for an operation named by a path template ({@code GET /pets/{petId}}, as an OpenAPI document names it):
     * the route declared for the same template (variable names and regexes aside), else the route a request to the
     * template's literal path would get ({@link #match}).
     */
    public Route describe(String method, String template) {
        String normalized;
        try {
            normalized = MethodKey.of(template, method).normalized();
        } catch (RuntimeException e) {
            return match(method, template);
        }
        for (Route route : httpRoutes) {
            if (route.key.normalized().equals(normalized)) {
                return route;
            }
        }
        return match(method, template);
    }

    /** A route by the id its adapter gave it (interceptors use this), or null. */
    public Route byId(String id) {
        return byId.get(id);
    }

    /** Whether any route meters callers by client address. */
    boolean hasKeyless() {
        return keyless;
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
                && Objects.equals(a.throttle(), b.throttle()) && a.cost() == b.cost() && Objects.equals(a.bucket(), b.bucket())
                && Objects.equals(a.stageThrottle(), b.stageThrottle()) && Objects.equals(a.keylessPlan(), b.keylessPlan());
    }

    /** What every route of the stage shares: the stage's default throttle, whether annotations decide, the keyless plans. */
    private record Stage(String api, String name, Throttle defaultThrottle, boolean annotated,
                         Map<String, CompiledPlan> keylessPlans, Catalog catalog) {
    }

    private static final class Draft {
        final MethodKey key;
        final RouteDefinition definition;
        final MethodSettings[] planFile;
        final MethodKey[] planFileKey;
        /** Per plan, the plan file's entry ({@code plans[premium].apiStages[0].throttle["/pets/GET"]}), or null. */
        final String[] planFileEntry;
        final List<String> aliases = new ArrayList<>();
        /** The plan file's stage throttle for this method, and its key as written, or null. */
        Throttle stageThrottle;
        MethodKey stageKey;
        /** The plan file's keyless plan for this method, or null. */
        String keylessPlan;
        /** The plan file's entry under {@code stages} that names this method, or null. */
        String stageEntry;

        Draft(MethodKey key, RouteDefinition definition, int plans) {
            this.key = key;
            this.definition = definition;
            this.planFile = new MethodSettings[plans];
            this.planFileKey = new MethodKey[plans];
            this.planFileEntry = new String[plans];
        }

        Route compile(List<CompiledPlan> plans, Map<String, Object[]> sharedBuckets, PlanFileEntries entries,
                      List<UsagePlansConfigException> problems, Stage stage) {
            MethodRoute[] throttles = new MethodRoute[plans.size()];
            long[] costs = new long[plans.size()];
            Set<String> required = definition == null || definition.plans().isEmpty() ? null : definition.plans();
            String source = definition != null ? definition.source() : entries.describe(firstPlanFileEntry());
            // an annotated method is one endpoint: one bucket per key, whichever of its paths is called
            String ownBucket = definition != null ? definition.source() : key.normalized();
            for (CompiledPlan plan : plans) {
                MethodSettings fromFile = planFile[plan.index];
                Throttle throttle;
                long cost;
                String bucket;
                String display;
                // who set this plan's settings, for problems: the plan file's entry, else the annotated method
                Origin origin;
                io.usageplans.StatusSet counts = null;
                if (fromFile != null) {
                    counts = fromFile.countStatuses();
                    throttle = fromFile.throttle();
                    cost = fromFile.cost();
                    bucket = fromFile.bucket();
                    display = planFileKey[plan.index].toString();
                    origin = entries.origin(planFileEntry[plan.index]);
                } else if (definition != null && appliesTo(definition, plan.name())) {
                    throttle = definition.throttle();
                    cost = definition.cost();
                    bucket = definition.bucket();
                    display = key == null ? definition.source() : key.toString();
                    origin = Origin.annotated(definition.source());
                } else {
                    throttle = null;
                    cost = definition == null ? 1 : definition.cost();
                    bucket = null;
                    display = null;
                    origin = definition == null ? entries.origin(firstPlanFileEntry()) : Origin.annotated(definition.source());
                }
                costs[plan.index] = cost;
                if (throttle != null) {
                    String bucketId = bucket == null ? ownBucket : "bucket:" + bucket;
                    if (bucket != null) {
                        Object[] first = sharedBuckets.putIfAbsent(plan.index + "/" + bucket, new Object[] {throttle, origin});
                        if (first != null && !first[0].equals(throttle)) {
                            problems.add(origin.problem("bucket", "bucket '" + bucket + "' of plan " + plan.name() + " is rate "
                                    + throttle.rateLimit() + ", burst " + throttle.burstLimit() + " here but rate "
                                    + ((Throttle) first[0]).rateLimit() + ", burst " + ((Throttle) first[0]).burstLimit() + " on "
                                    + ((Origin) first[1]).name() + "; a shared bucket has one shape"));
                        }
                    }
                    throttles[plan.index] = new MethodRoute(plan, bucketId, bucket == null ? display : bucket, throttle, counts);
                }
                if (required == null || required.contains(plan.name())) {
                    String tooHigh = costProblem(plan, cost, throttle);
                    if (tooHigh != null) {
                        problems.add(origin.problem("cost", tooHigh));
                    }
                }
            }
            String id = definition != null ? definition.id() : key.toString();
            boolean onlyInStage = definition == null && planFileKey.length == countNulls(planFileKey) && keylessPlan == null;
            // a method the plan file names only under its stage: all callers share the stage's bucket, and it needs a key
            // only where the whole stage does (no annotated routes)
            boolean unmetered = definition != null ? definition.unmetered() : onlyInStage && stage.annotated();
            String keylessName = keylessPlan != null ? keylessPlan : definition == null ? null : definition.keylessPlan();
            CompiledPlan keyless = keylessName == null ? null : stage.keylessPlans().get(keylessName);
            if (keylessName != null && keyless == null) {
                problems.add(new UsagePlansConfigException(source, "keyless", 0, "unknown plan '" + keylessName + "'"));
            }
            if (keyless != null) {
                required = null;
                unmetered = false;
            }
            Throttle stageThrottle = this.stageThrottle != null ? this.stageThrottle
                    : definition != null && definition.stageThrottle() != null ? definition.stageThrottle()
                    : unmetered || key == null ? null : stage.defaultThrottle();
            if (this.stageThrottle != null && definition != null && definition.stageThrottle() != null
                    && !definition.stageThrottle().equals(this.stageThrottle)) {
                LOG.log(System.Logger.Level.INFO, "usage-plans: stages[{0}].throttle[\"{1}\"]: the plan file''s stage throttle "
                        + "wins over @StageThrottle on {2}", stage.name(), stageKey, definition.source());
            }
            StageBucket bucket = stageThrottle == null ? null : key == null
                    ? new StageBucket(stage.api(), stage.name(), definition.source(), definition.source(), stageThrottle, source)
                    : new StageBucket(stage.api(), stage.name(), (stageKey != null ? stageKey : key).toString(), key.normalized(),
                            stageThrottle, source);
            long keylessCost = definition == null ? 1 : definition.cost();
            Route route = new Route(id, key, required, unmetered, throttles, costs, source, bucket, keyless, keylessCost);
            route.stageEntryOnly = onlyInStage && key != null;
            return route;
        }

        private static int countNulls(Object[] values) {
            int n = 0;
            for (Object value : values) {
                if (value == null) {
                    n++;
                }
            }
            return n;
        }

        private String firstPlanFileEntry() {
            for (String entry : planFileEntry) {
                if (entry != null) {
                    return entry;
                }
            }
            return stageEntry != null ? stageEntry : "plan file method " + key;
        }

        /** A cost above a limit's size could never pass: fail at start-up, naming both; null when it can pass. */
        private static String costProblem(CompiledPlan plan, long cost, Throttle method) {
            if (cost == 1) {
                return null;
            }
            String limit = null;
            Throttle planThrottle = plan.plan().throttle();
            if (method != null && cost > method.burstLimit()) {
                limit = "the method throttle's burst of " + method.burstLimit() + " for plan " + plan.name();
            } else if (planThrottle != null && cost > planThrottle.burstLimit()) {
                limit = "plan " + plan.name() + "'s burstLimit of " + planThrottle.burstLimit();
            } else if (plan.quota() != null && cost > plan.quota().limit()) {
                limit = "plan " + plan.name() + "'s quota limit of " + plan.quota().limit();
            }
            return limit == null ? null : "a cost of " + cost + " is more than " + limit
                    + ", so such a request could never pass; lower the cost or raise the limit";
        }
    }

    /**
     * Where a plan's settings for a method came from: a plan-file entry (with the file and its line) or an annotated
     * method. Problems are reported there.
     */
    private record Origin(String source, String entry, int line, Catalog planFile) {

        static Origin annotated(String method) {
            return new Origin(method, null, 0, null);
        }

        /** As another problem's message names it: {@code com.acme.Reports#daily}, or the entry and its line. */
        String name() {
            return planFile != null ? entry + (line > 0 ? " (line " + line + ")" : "") : source;
        }

        /** A problem with one field of the settings: in the plan file, on the field's own line where it is known. */
        UsagePlansConfigException problem(String field, String problem) {
            if (planFile == null) {
                return new UsagePlansConfigException(source, field, 0, problem);
            }
            int fieldLine = planFile.lineOf(entry + "." + field);
            return new UsagePlansConfigException(source, entry + "." + field, fieldLine > 0 ? fieldLine : line, problem);
        }
    }

    /** The plan file's names for this stage's method entries, and their file and line. */
    private static final class PlanFileEntries {
        private final Catalog catalog;
        private final String stage;

        PlanFileEntries(Catalog catalog, String stage) {
            this.catalog = catalog;
            this.stage = stage;
        }

        /** {@code plans[premium].apiStages[0].throttle["/pets/GET"]}, as the plan file's other messages name it. */
        String entry(CompiledPlan plan, MethodKey key) {
            List<io.usageplans.ApiStage> stages = plan.plan().apiStages();
            int index = 0;
            while (index < stages.size() - 1 && !stages.get(index).stage().equals(stage)) {
                index++;
            }
            return "plans[" + plan.name() + "].apiStages[" + index + "].throttle[\"" + key + "\"]";
        }

        Origin origin(String entry) {
            return new Origin(catalog.source(), entry, catalog.lineOf(entry), catalog);
        }

        /** The entry with its file and line, as a route's source: {@code plans.yaml, line 12: plans[...]...}. */
        String describe(String entry) {
            int line = catalog.lineOf(entry);
            String source = catalog.source();
            return (source == null ? "" : source + (line > 0 ? ", line " + line : "") + ": ") + entry;
        }
    }
}
