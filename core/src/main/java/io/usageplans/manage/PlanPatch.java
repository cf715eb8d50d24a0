package io.usageplans.manage;

/**
 * One of AWS's UpdateUsagePlan patch operations, as sent: {@code {"op":"replace","path":"/quota/limit","value":"20"}}.
 * {@link UsagePlansAdmin#updatePlan} says which paths and ops a plan takes.
 *
 * @param op    {@code add}, {@code remove} or {@code replace}
 * @param path  e.g. {@code /throttle/burstLimit} or {@code /apiStages/shop:test/throttle/~1pets/GET/rateLimit}
 * @param value the new value as text (AWS sends every value as a string), or null
 */
public record PlanPatch(String op, String path, String value) {
}
