package io.usageplans.manage;

import java.util.List;

import io.usageplans.Plan;
import io.usageplans.manage.AdminException.Kind;

/**
 * The plans an operation may name, looked up as the engine's stage sees them. Every refusal names the field and the
 * value, and lists the plans there are.
 */
final class StagePlans {

    private final AdminContext context;

    StagePlans(AdminContext context) {
        this.context = context;
    }

    /** The plans that apply to the engine's stage, in the plan file's order. */
    List<Plan> all() {
        return context.catalog().plans().stream().filter(p -> context.planOnStage(p.name()).isPresent()).toList();
    }

    List<String> names() {
        return all().stream().map(Plan::name).toList();
    }

    /** The plan {@code name} on the engine's stage; 404 naming {@code usagePlanId} if there is none. */
    Plan named(String name) {
        return context.planOnStage(name).orElseThrow(() -> new AdminException(Kind.NOT_FOUND, "usagePlanId", name,
                "no plan named '" + name + "' on stage '" + context.stage() + "'; the plans are " + names()));
    }

    /** The plan {@code name} on the engine's stage, which must have a quota. */
    Plan withQuota(String name) {
        Plan plan = named(name);
        if (plan.quota() == null) {
            throw new AdminException(Kind.INVALID, "usagePlanId", name, "plan '" + name + "' has no quota");
        }
        return plan;
    }

    /** Whether the catalog has a plan {@code name} (on any stage). */
    boolean exists(String name) {
        return name != null && context.catalog().plan(name).isPresent();
    }

    /** Refuses the first of {@code plans} the catalog does not have, naming {@code field}. */
    void check(List<String> plans, String field) {
        for (String plan : plans == null ? List.<String>of() : plans) {
            if (!exists(plan)) {
                throw new AdminException(Kind.INVALID, field, plan, "unknown plan '" + plan + "'; the plans are " + names());
            }
        }
    }
}
