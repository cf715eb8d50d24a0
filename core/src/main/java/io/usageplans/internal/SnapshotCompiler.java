package io.usageplans.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.DecisionCounters;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.PathPattern;
import io.usageplans.Plan;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.routing.RouteDefinition;

/** Compiles a catalog and the adapters' routes into the {@link Snapshot} one stage's requests are decided on. */
final class SnapshotCompiler {

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");

    private final String stage;
    private final List<PathPattern> extraExcludes;
    private final DecisionCounters counters;

    SnapshotCompiler(String stage, List<PathPattern> extraExcludes, DecisionCounters counters) {
        this.stage = stage;
        this.extraExcludes = List.copyOf(extraExcludes);
        this.counters = counters;
    }

    Snapshot compile(Catalog catalog, List<RouteDefinition> definitions) {
        AnnotatedRoutes.checkPlansExist(definitions, catalog);
        Map<String, CompiledPlan> plans = new LinkedHashMap<>();
        List<CompiledPlan> indexed = new ArrayList<>();
        Map<CompiledPlan, Map<MethodKey, MethodSettings>> planFileThrottles = new LinkedHashMap<>();
        for (Plan plan : catalog.plans()) {
            plan.stage(stage).ifPresent(apiStage -> {
                CompiledPlan compiled = new CompiledPlan(plan, indexed.size(), counters.plan(plan.name()));
                indexed.add(compiled);
                plans.put(plan.name(), compiled);
                planFileThrottles.put(compiled, apiStage.methods());
            });
        }
        for (RouteDefinition d : definitions) {
            for (String name : d.plans()) {
                if (!plans.isEmpty() && !plans.containsKey(name)) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: {0} requires plan {1}, which does not apply to stage ''{2}'' "
                            + "(plans on this stage: {3}); calls through that plan are refused with 403", d.source(), name, stage,
                            plans.keySet());
                }
            }
        }
        List<PathPattern> excludes = new ArrayList<>(extraExcludes);
        catalog.excludePaths().forEach(p -> excludes.add(PathPattern.of(p)));
        // the plans keyless methods name: those on the stage as compiled above, others on their own
        Map<String, CompiledPlan> keylessPlans = new LinkedHashMap<>();
        List<String> keylessNames = new ArrayList<>();
        catalog.stageSettings(stage).ifPresent(s -> keylessNames.addAll(s.keyless().values()));
        definitions.forEach(d -> {
            if (d.keylessPlan() != null) {
                keylessNames.add(d.keylessPlan());
            }
        });
        for (String name : keylessNames) {
            catalog.plan(name).ifPresent(plan -> keylessPlans.computeIfAbsent(name, n -> plans.containsKey(n) ? plans.get(n)
                    : new CompiledPlan(plan, -1, counters.plan(n))));
        }
        RouteTable table = new RouteTable(indexed, planFileThrottles, definitions, catalog, stage, keylessPlans);
        return new Snapshot(catalog, plans, new KeyRegistry(catalog, stage, plans), excludes.toArray(new PathPattern[0]), table);
    }

    /**
     * No plan names this engine's stage, so every metered request would be refused with 403: a deployment under the
     * wrong context path, or a stage spelled differently. Fails start-up while metering is on; the off switch is the one
     * deliberate way to run without plans.
     */
    void noPlanOnStage(Catalog catalog, String origin, boolean on) {
        Set<String> stages = new LinkedHashSet<>();
        catalog.plans().forEach(plan -> plan.apiStages().forEach(s -> stages.add(s.stage())));
        String problem = "no plan of API " + catalog.api() + " applies to stage '" + stage + "'"
                + (origin == null ? "" : " (" + origin + ")") + "; the plans name " + (stages.isEmpty() ? "no stage"
                : (stages.size() == 1 ? "stage " : "stages ") + String.join(", ", stages)) + ". Set usageplans.stage"
                + (stages.size() == 1 ? "=" + stages.iterator().next() : "") + " (context-param, init-param, system property "
                + "or USAGEPLANS_STAGE), or add stage '" + stage + "' to a plan's apiStages";
        if (on) {
            throw new UsagePlansConfigException(catalog.source(), "stage", 0, problem + ". Annotated endpoints and the plan "
                    + "file's methods would otherwise answer 403 to every key; usageplans.enabled=false switches metering off "
                    + "deliberately");
        }
        LOG.log(System.Logger.Level.WARNING, "usage-plans: " + problem + "; metering is switched off, and while it is, "
                + "nothing is refused");
    }
}
