package io.usageplans.servlet;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.MethodKey;
import io.usageplans.routing.RouteDefinition;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;

/**
 * Finds {@code @UsagePlan}/{@code @MethodThrottle}/{@code @Unmetered} on the application's servlets (class, or
 * {@code doGet}, {@code doPost}, ...) and turns them into routes at the servlets' mappings. Runs once, at init.
 */
final class ServletRoutes {

    private static final System.Logger LOG = System.getLogger(ServletRoutes.class.getName());

    private static final Map<String, String> HANDLERS = Map.of("doGet", "GET", "doPost", "POST", "doPut", "PUT",
            "doDelete", "DELETE", "doHead", "HEAD", "doOptions", "OPTIONS", "doPatch", "PATCH");

    private ServletRoutes() {
    }

    static List<RouteDefinition> find(ServletContext context, ClassLoader loader) {
        List<RouteDefinition> routes = new ArrayList<>();
        for (ServletRegistration registration : context.getServletRegistrations().values()) {
            String className = registration.getClassName();
            if (className == null) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue; // the container reports servlets it cannot load itself
            }
            if (!HttpServlet.class.isAssignableFrom(type) || !AnnotatedRoutes.isAnnotated(type)) {
                continue;
            }
            for (Map.Entry<String, String> handler : HANDLERS.entrySet()) {
                Method method = declared(type, handler.getKey());
                if (method == null) {
                    continue;
                }
                for (String path : paths(registration.getMappings(), type)) {
                    MethodKey key = MethodKey.of(path, handler.getValue());
                    AnnotatedRoutes.read(type, method, key, className + "#" + handler.getKey() + "@" + path)
                            .ifPresent(routes::add);
                }
            }
        }
        return routes;
    }

    /** The method as the servlet class or one of its superclasses below HttpServlet declares it, or null. */
    private static Method declared(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != HttpServlet.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 2) {
                    return m;
                }
            }
        }
        return null;
    }

    /** Route paths for servlet mappings: {@code /pets/*} covers {@code /pets} and everything below it. */
    private static List<String> paths(Collection<String> mappings, Class<?> type) {
        List<String> paths = new ArrayList<>();
        for (String mapping : mappings) {
            if (mapping.equals("/") || mapping.equals("/*")) {
                paths.add("*");
            } else if (mapping.isEmpty()) {
                paths.add("/");
            } else if (mapping.endsWith("/*")) {
                String base = mapping.substring(0, mapping.length() - 2);
                paths.add(base);
                paths.add(base + "/{path+}");
            } else if (mapping.startsWith("*.")) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: {0} is mapped to {1}; annotations on extension mappings "
                        + "are not supported, meter it with the plan file or map it by path", type.getName(), mapping);
            } else {
                paths.add(mapping);
            }
        }
        return paths;
    }
}
