package io.usageplans.config;

import static io.usageplans.config.PlanNodes.indexEntry;
import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.line;
import static io.usageplans.config.PlanNodes.nameOf;
import static io.usageplans.config.Problems.orEmpty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.usageplans.Alerts;
import io.usageplans.ApiStage;
import io.usageplans.FailMode;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@code plans} list: each plan's name, description, throttle, quota, apiStages, failMode, enabled, shadow and
 * alerts.
 */
final class PlanReader {

    static final Set<String> PLAN_FIELDS = Set.of("name", "description", "throttle", "quota", "apiStages", "failMode",
            "enabled", "shadow", "alerts");
    static final Set<String> ALERT_FIELDS = Set.of("quota", "firstThrottle");

    private final PlanNodes nodes;
    private final Problems problems;
    private final EntryLines lines;
    private final LimitReader limits;
    private final StageReader stages;

    PlanReader(PlanNodes nodes, Problems problems, EntryLines lines) {
        this.nodes = nodes;
        this.problems = problems;
        this.lines = lines;
        this.limits = new LimitReader(nodes, problems);
        this.stages = new StageReader(nodes, problems, lines, limits);
    }

    /**
     * The plans read, without those with problems (reported); every name read, in file order, also of plans left out;
     * and whether every plan entry had a name to tell keys on it from keys on unknown plans.
     */
    record Plans(List<Plan> plans, Set<String> names, boolean allNamed) {
    }

    /**
     * The {@code plans} list ({@code plansNode}, in the map {@code root}). {@code topComplete}: the top-level map has
     * no misspelled field, which might be "plans" itself.
     */
    Plans plans(Node plansNode, Node root, boolean topComplete) {
        List<Plan> plans = new ArrayList<>();
        Set<String> planNames = new LinkedHashSet<>();
        boolean allPlansNamed = topComplete;
        List<Node> planNodes = problems.attempt(() -> nodes.list(plansNode, "plans"));
        for (Node node : orEmpty(planNodes)) {
            Plan plan = problems.attempt(() -> plan(node, indexEntry("plans", node), planNames));
            if (plan != null) {
                plans.add(plan);
            } else if (!planNames.contains(nameOf(node))) {
                allPlansNamed = false; // a plan with problems, and no name to tell keys on it from keys on unknown plans
            }
        }
        if (planNodes == null) {
            allPlansNamed = false;
        } else if (planNodes.isEmpty() && topComplete) { // with a misspelled top field, "plan:" may be "plans:"
            problems.report(nodes.error(plansNode == null ? root : plansNode, "plans",
                    "at least one plan is required; without plans nothing is metered"));
        }
        return new Plans(plans, planNames, allPlansNamed);
    }

    /** A plan, or {@link Reported} when it has problems (all of them reported); a second plan of a name is one. */
    private Plan plan(Node node, String fallbackEntry, Set<String> planNames) {
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, fallbackEntry, PLAN_FIELDS);
        String name = problems.attempt(() -> nodes.requiredString(f.get("name"), fallbackEntry + ".name", node));
        String entry = name == null ? fallbackEntry : "plans[" + name + "]";
        if (name != null) {
            if (!planNames.add(name)) {
                problems.report(nodes.error(node, entry, "plan '" + name + "' is defined twice; plan names must be unique"));
            }
            lines.put(entry, line(node));
        }
        Plan.Builder plan = Plan.builder(name == null ? "-" : name);
        String description = problems.attempt(() -> nodes.optionalString(f.get("description"), entry + ".description"));
        Throttle throttle = problems.attempt(() -> limits.throttle(f.get("throttle"), entry + ".throttle"));
        StatusSet throttleStatuses = problems.attempt(() -> limits.countStatuses(f.get("throttle"), entry + ".throttle"));
        Quota quota = problems.attempt(() -> limits.quota(f.get("quota"), entry + ".quota"));
        StatusSet quotaStatuses = problems.attempt(() -> limits.countStatuses(f.get("quota"), entry + ".quota"));
        Set<String> stageNames = new HashSet<>();
        List<Node> stageNodes = orEmpty(problems.attempt(() -> nodes.list(f.get("apiStages"), entry + ".apiStages")));
        for (int i = 0; i < stageNodes.size(); i++) {
            Node stageNode = stageNodes.get(i);
            String stageEntry = entry + ".apiStages[" + i + "]";
            ApiStage stage = problems.attempt(() -> stages.stage(stageNode, stageEntry, stageNames));
            if (stage != null) {
                plan.stage(stage);
            }
        }
        Node enabledNode = f.get("enabled");
        Boolean enabled = enabledNode == null || isNull(enabledNode) ? null
                : problems.attempt(() -> nodes.bool(enabledNode, entry + ".enabled"));
        Node shadowNode = f.get("shadow");
        Boolean shadow = shadowNode == null || isNull(shadowNode) ? null
                : problems.attempt(() -> nodes.bool(shadowNode, entry + ".shadow"));
        FailMode failMode = problems.attempt(() -> failMode(f.get("failMode"), entry + ".failMode"));
        Alerts alerts = problems.attempt(() -> alerts(f.get("alerts"), entry + ".alerts", quota != null || f.get("quota") != null
                && !isNull(f.get("quota"))));
        problems.failIfFound(before);
        if (name == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        plan.description(description);
        if (throttle != null) {
            plan.throttle(throttle);
            plan.throttleCountStatuses(throttleStatuses);
        }
        plan.quota(quota);
        if (quota != null) {
            plan.quotaCountStatuses(quotaStatuses);
        }
        if (enabled != null) {
            plan.enabled(enabled);
        }
        if (failMode != null) {
            plan.failMode(failMode);
        }
        if (shadow != null) {
            plan.shadow(shadow);
        }
        plan.alerts(alerts);
        return plan.build();
    }

    /** {@code alerts: {quota: [80, 100], firstThrottle: true}}; null when absent. */
    private Alerts alerts(Node node, String entry, boolean hasQuota) {
        if (node == null || isNull(node)) {
            return null;
        }
        Map<String, Node> f = nodes.fields(node, entry, ALERT_FIELDS);
        List<Integer> percents = new ArrayList<>();
        Node quotaNode = f.get("quota");
        if (quotaNode != null && !isNull(quotaNode)) {
            List<Node> items = nodes.list(quotaNode, entry + ".quota");
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemEntry = entry + ".quota[" + i + "]";
                long percent = nodes.whole(item, itemEntry);
                if (percent < 1 || percent > 100) {
                    throw nodes.error(item, itemEntry, "must be a percentage of the quota from 1 to 100, was '"
                            + PlanNodes.scalar(item) + "'");
                }
                if (percents.contains((int) percent)) {
                    throw nodes.error(item, itemEntry, "threshold " + percent + " is listed twice");
                }
                percents.add((int) percent);
            }
            if (!percents.isEmpty() && !hasQuota) {
                throw nodes.error(quotaNode, entry + ".quota", "quota alerts need a quota; add the plan's quota or remove "
                        + "alerts.quota");
            }
        }
        Node throttleNode = f.get("firstThrottle");
        boolean firstThrottle = throttleNode != null && !isNull(throttleNode) && nodes.bool(throttleNode, entry + ".firstThrottle");
        return new Alerts(percents, firstThrottle);
    }

    private FailMode failMode(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        String text = nodes.requiredString(node, entry);
        try {
            return FailMode.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw nodes.error(node, entry, "unknown fail mode '" + text + "'; use CLOSED (answer 503 when the "
                    + "store cannot answer, the default) or OPEN (let requests through unmetered)");
        }
    }
}
