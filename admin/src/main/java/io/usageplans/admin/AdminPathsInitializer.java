package io.usageplans.admin;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.usageplans.servlet.UsagePlanFilter;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;

/**
 * Keeps the dashboard and the admin API out of metering: without it, an application whose plan file meters every
 * path (no annotations) would answer the operator's calls with 403 for want of an {@code x-api-key}. Runs before any
 * filter or listener, so the engine sees {@value #PATHS} among its excluded paths when it is built.
 */
public final class AdminPathsInitializer implements ServletContainerInitializer {

    /** Everything this module serves: the dashboard at {@code /usage-plans/} and the API below it. */
    public static final String PATHS = "/usage-plans/*";

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        excludeFromMetering(context);
    }

    /** Adds {@value #PATHS} to the paths the usage-plans filter never meters; for embedded servers that run no initializers. */
    @SuppressWarnings("unchecked")
    public static void excludeFromMetering(ServletContext context) {
        Object current = context.getAttribute(UsagePlanFilter.EXCLUDE_ATTRIBUTE);
        Collection<String> paths;
        if (current instanceof Collection<?> existing) {
            paths = (Collection<String>) existing;
        } else {
            paths = new CopyOnWriteArrayList<>();
            context.setAttribute(UsagePlanFilter.EXCLUDE_ATTRIBUTE, paths);
        }
        if (!paths.contains(PATHS)) {
            paths.add(PATHS);
        }
    }
}
