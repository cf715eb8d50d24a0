package io.usageplans;

import java.util.List;

/**
 * What an application's documentation can say of one of its operations: whether it is metered and, if so, which plans
 * may call it with which method throttle and cost. {@link UsagePlans#describe} gives it for an HTTP method and a path
 * template as an OpenAPI document names them ({@code GET /pets/{petId}}).
 *
 * @param httpMethod the method asked about, upper case
 * @param path       the path asked about, relative to the application
 * @param metered    whether a call needs a key; false for unmetered operations ({@code @Unmetered}, excluded paths,
 *                   AWS's "API key not required", or metering switched off)
 * @param plans      the plans of this stage whose keys may call it, in catalog order; empty when not metered
 */
public record RouteDescription(String httpMethod, String path, boolean metered, List<PlanAccess> plans) {

    public RouteDescription {
        plans = List.copyOf(plans);
    }

    /** Not metered: no key needed, nothing counted. */
    public static RouteDescription unmetered(String httpMethod, String path) {
        return new RouteDescription(httpMethod, path, false, List.of());
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
