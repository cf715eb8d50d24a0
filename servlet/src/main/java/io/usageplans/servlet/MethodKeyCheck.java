package io.usageplans.servlet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

/**
 * Checks at start-up that every method key of the plan file ({@code "/pets/{petId}/GET"} under a plan's stage)
 * names a route this application serves: a JAX-RS resource method, an annotated route, or a servlet mapping. A key
 * that matches none throttles nothing, so the method it was meant for runs without its limit; the usual cause is a
 * key written without the JAX-RS application path ({@code /orders/{id}/GET} for {@code /api/orders/{id}}), and
 * the problem says so. The container's default servlet ({@code /}) is not a route: it would match everything.
 */
public final class MethodKeyCheck {

    /** Servlet classes that serve JAX-RS applications (Jersey, RESTEasy, Liberty, CXF). */
    public static final Set<String> JAXRS_SERVLETS = Set.of("org.glassfish.jersey.servlet.ServletContainer",
            "org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher",
            "org.jboss.resteasy.plugins.server.servlet.HttpServletDispatcher",
            "com.ibm.websphere.jaxrs.server.IBMRestServlet", "org.apache.cxf.jaxrs.servlet.CXFNonSpringJaxrsServlet");

    private MethodKeyCheck() {
    }

    /** Whether the servlet serves a JAX-RS application. */
    public static boolean isJaxRs(ServletRegistration registration) {
        String className = registration.getClassName();
        return className != null && JAXRS_SERVLETS.contains(className)
                || registration.getName().equals("jakarta.ws.rs.core.Application");
    }

    /**
     * The plan-file method keys of {@code engine}'s stage that match no route, one problem each (file, line, entry).
     *
     * @param jaxrsRoutes the JAX-RS resource methods at their full paths (application path included), or null when
     *                    they are unknown (no CDI module): then everything below a JAX-RS servlet's mapping counts as a route
     * @param jaxrsPath   where JAX-RS is served ({@code /api}), or empty, for the hint
     */
    public static List<UsagePlansConfigException> unmatched(UsagePlans engine, ServletContext context,
                                                            Collection<MethodKey> jaxrsRoutes, String jaxrsPath) {
        List<MethodKey> routes = new ArrayList<>(engine.annotatedRouteKeys());
        if (jaxrsRoutes != null) {
            routes.addAll(jaxrsRoutes);
        }
        List<String> extensions = new ArrayList<>();
        for (ServletRegistration registration : context.getServletRegistrations().values()) {
            if (registration.getClassName() != null && (jaxrsRoutes == null || !isJaxRs(registration))) {
                for (String mapping : registration.getMappings()) {
                    if (mapping.startsWith("*.")) {
                        extensions.add(mapping.substring(1));
                    } else {
                        routes.addAll(ofMapping(mapping));
                    }
                }
            }
        }
        Catalog catalog = engine.catalog();
        List<UsagePlansConfigException> problems = new ArrayList<>();
        for (Plan plan : catalog.plans()) {
            List<ApiStage> stages = plan.apiStages();
            for (int i = 0; i < stages.size(); i++) {
                if (!stages.get(i).stage().equals(engine.stage())) {
                    continue;
                }
                for (Map.Entry<MethodKey, ?> method : stages.get(i).methods().entrySet()) {
                    MethodKey key = method.getKey();
                    if (!matchesAny(key, routes) && extensions.stream().noneMatch(key.resourcePath()::endsWith)) {
                        String entry = "plans[" + plan.name() + "].apiStages[" + i + "].throttle[\"" + key + "\"]";
                        problems.add(new UsagePlansConfigException(catalog.source(), entry, catalog.lineOf(entry),
                                problem(key, routes, jaxrsRoutes != null, jaxrsPath, context.getContextPath())));
                    }
                }
            }
        }
        io.usageplans.StageSettings stage = catalog.stageSettings(engine.stage()).orElse(null);
        if (stage != null) {
            Map<String, java.util.Set<MethodKey>> sections = new java.util.LinkedHashMap<>();
            sections.put("throttle", stage.throttles().keySet());
            sections.put("keyless", stage.keyless().keySet());
            sections.forEach((section, keys) -> {
                for (MethodKey key : keys) {
                    if (!io.usageplans.StageSettings.isDefault(key) && !matchesAny(key, routes)
                            && extensions.stream().noneMatch(key.resourcePath()::endsWith)) {
                        String entry = "stages[" + stage.stage() + "]." + section + "[\"" + key + "\"]";
                        problems.add(new UsagePlansConfigException(catalog.source(), entry, catalog.lineOf(entry),
                                problem(key, routes, jaxrsRoutes != null, jaxrsPath, context.getContextPath())));
                    }
                }
            });
        }
        return problems;
    }

    private static String problem(MethodKey key, List<MethodKey> routes, boolean jaxrsKnown, String jaxrsPath, String contextPath) {
        StringBuilder text = new StringBuilder("matches no route of this application, so it limits nothing. Method keys are "
                + "relative to the context path" + (contextPath == null || contextPath.isEmpty() ? "" : " (" + contextPath + ")")
                + (jaxrsPath == null || jaxrsPath.isEmpty() ? "" : " and include the JAX-RS application path (" + jaxrsPath + ")"));
        String path = key.resourcePath();
        if (jaxrsPath != null && !jaxrsPath.isEmpty() && !path.startsWith(jaxrsPath + "/") && !path.equals(jaxrsPath)) {
            MethodKey withApplicationPath = MethodKey.of(jaxrsPath + (path.equals("/") ? "" : path), key.httpMethod());
            if (matchesAny(withApplicationPath, routes)) {
                return text.append(": did you mean \"").append(withApplicationPath).append("\"?").toString();
            }
            if (!jaxrsKnown) {
                return text.append(": for a JAX-RS method, \"").append(withApplicationPath).append("\"").toString();
            }
        }
        if (contextPath != null && contextPath.length() > 1 && path.startsWith(contextPath + "/")) {
            MethodKey withoutContext = MethodKey.of(path.substring(contextPath.length()), key.httpMethod());
            if (matchesAny(withoutContext, routes)) {
                return text.append(": did you mean \"").append(withoutContext).append("\"?").toString();
            }
        }
        List<String> known = routes.stream().filter(r -> !r.resourcePath().equals("*")).map(MethodKey::toString).distinct()
                .sorted().limit(8).toList();
        return text.append(known.isEmpty() ? "" : "; routes here include " + String.join(", ", known)).toString();
    }

    /** Route keys for a path mapping; none for the default servlet ({@code /}). */
    private static List<MethodKey> ofMapping(String mapping) {
        if (mapping.equals("/")) {
            return List.of();
        }
        if (mapping.isEmpty()) {
            return List.of(MethodKey.of("/", "*"));
        }
        if (mapping.equals("/*")) {
            return List.of(MethodKey.of("*", "*"));
        }
        if (mapping.endsWith("/*")) {
            String base = mapping.substring(0, mapping.length() - 2);
            return List.of(MethodKey.of(base, "*"), MethodKey.of(base + "/{path+}", "*"));
        }
        return List.of(MethodKey.of(mapping, "*"));
    }

    static boolean matchesAny(MethodKey key, List<MethodKey> routes) {
        String sample = sample(key.resourcePath());
        for (MethodKey route : routes) {
            String method = !key.httpMethod().equals("*") ? key.httpMethod()
                    : route.httpMethod().equals("*") ? "GET" : route.httpMethod();
            if (route.matches(method, sample)) {
                return true;
            }
            String reverse = route.httpMethod().equals("*") ? method : route.httpMethod();
            if (!route.resourcePath().equals("*") && key.matches(reverse, sample(route.resourcePath()))) {
                return true;
            }
        }
        return false;
    }

    /** A concrete path the template matches: every variable becomes {@code 1} ({@code /pets/{id}} is {@code /pets/1}). */
    static String sample(String template) {
        if (template.equals("*")) {
            return "/";
        }
        StringBuilder out = new StringBuilder(template.length());
        int depth = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                if (depth++ == 0) {
                    out.append('1');
                }
            } else if (c == '}') {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
