package io.usageplans.internal;

import java.util.Map;

import io.usageplans.Catalog;
import io.usageplans.PathPattern;

/**
 * Everything the request path reads, compiled from one catalog and the routes: replaced as a whole, so a request is
 * decided on one catalog from start to end.
 */
final class Snapshot {
    final Catalog catalog;
    final Map<String, CompiledPlan> plans;
    final KeyRegistry keys;
    final PathPattern[] excludes;
    final RouteTable routes;

    Snapshot(Catalog catalog, Map<String, CompiledPlan> plans, KeyRegistry keys, PathPattern[] excludes, RouteTable routes) {
        this.catalog = catalog;
        this.plans = plans;
        this.keys = keys;
        this.excludes = excludes;
        this.routes = routes;
    }

    /** Whether {@code path} is never metered (the catalog's {@code excludePaths} and those an adapter added). */
    boolean excluded(String path) {
        for (PathPattern exclude : excludes) {
            if (exclude.matches(path)) {
                return true;
            }
        }
        return false;
    }
}
