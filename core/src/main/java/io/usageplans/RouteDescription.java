package io.usageplans;

import java.util.List;

/**
 * What an application's documentation can say of one of its operations: whether a call needs a key and, if so, which
 * plans may call it with which method throttle and cost; whether callers without a key are metered by client address;
 * and the stage's throttle for all callers together. {@link UsagePlans#describe} gives it for an HTTP method and a path
 * template as an OpenAPI document names them ({@code GET /pets/{petId}}).
 *
 * @param httpMethod    the method asked about, upper case
 * @param path          the path asked about, relative to the application
 * @param metered       whether a call needs a key; false for unmetered operations ({@code @Unmetered}, excluded paths,
 *                      AWS's "API key not required", or metering switched off) and for keyless ones
 * @param plans         the plans of this stage whose keys may call it, in catalog order; empty when no key is needed
 * @param keylessPlan   the plan each client address is metered on when the operation needs no key, or null
 * @param stageThrottle the stage's throttle for all callers of this operation together, or null
 */
public record RouteDescription(String httpMethod, String path, boolean metered, List<PlanAccess> plans,
                               Plan keylessPlan, Throttle stageThrottle) {

    public RouteDescription {
        plans = List.copyOf(plans);
    }

    /** An operation that needs a key, without keyless or stage limits. */
    public RouteDescription(String httpMethod, String path, boolean metered, List<PlanAccess> plans) {
        this(httpMethod, path, metered, plans, null, null);
    }

    /** Not metered: no key needed, nothing counted. */
    public static RouteDescription unmetered(String httpMethod, String path) {
        return new RouteDescription(httpMethod, path, false, List.of());
    }

    /** Whether any limit applies to a call: a key's plan, a keyless caller's plan, or the stage's throttle. */
    public boolean limited() {
        return metered || keylessPlan != null || stageThrottle != null;
    }

    /**
     * One plan's access to the operation.
     *
     * @param plan           the plan's name
     * @param methodThrottle the method-level throttle keys on this plan get here, on top of the plan's own; null if none
     * @param cost           the units one call is charged against every limit (1 unless a cost is set)
     */
    public record PlanAccess(String plan, Throttle methodThrottle, long cost) {
    }
}
