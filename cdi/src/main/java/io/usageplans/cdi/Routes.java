package io.usageplans.cdi;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.MethodKey;
import io.usageplans.routing.RouteDefinition;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

/**
 * Turns annotated JAX-RS resources and CDI beans into routes: JAX-RS methods at their {@code @Path} templates
 * (following sub-resource locators), bean methods by id only. Ids are the same ones the JAX-RS feature and the
 * interceptor compute at run time, so each layer finds the route compiled at start-up.
 */
final class Routes {

    private static final int MAX_LOCATOR_DEPTH = 8;

    private Routes() {
    }

    /** The id of a method as invoked on {@code type}: {@code com.acme.PetsResource#get(long)}. */
    static String id(Class<?> type, Method method) {
        return type.getName() + "#" + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(",", "(", ")"));
    }

    /** Whether the class is a JAX-RS root resource. */
    static boolean isResource(Class<?> type) {
        return type.isAnnotationPresent(Path.class);
    }

    /** Routes of a root resource, with paths relative to the JAX-RS application path. */
    static List<RouteDefinition> ofResource(Class<?> type, List<RuntimeException> problems) {
        List<RouteDefinition> routes = new ArrayList<>();
        collect(type, template(type.getAnnotation(Path.class)), null, null, routes, problems, 0);
        return routes;
    }

    /** Routes of a bean's annotated methods, by id (no path: no request maps to them by itself). */
    static List<RouteDefinition> ofBean(Class<?> type, List<RuntimeException> problems) {
        List<RouteDefinition> routes = new ArrayList<>();
        for (Method method : methods(type)) {
            try {
                AnnotatedRoutes.read(type, method, null, id(type, method)).ifPresent(routes::add);
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        return routes;
    }

    private static void collect(Class<?> type, String prefix, Class<?> locatorType, Method locator,
                                List<RouteDefinition> routes, List<RuntimeException> problems, int depth) {
        for (Method method : methods(type)) {
            try {
                collect(type, prefix, locatorType, locator, method, routes, problems, depth);
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
    }

    private static void collect(Class<?> type, String prefix, Class<?> locatorType, Method locator, Method method,
                                List<RouteDefinition> routes, List<RuntimeException> problems, int depth) {
        Path path = method.getAnnotation(Path.class);
        String template = path == null ? prefix : join(prefix, template(path));
        String httpMethod = httpMethod(method);
        if (httpMethod != null) {
            MethodKey key = MethodKey.of(template.isEmpty() ? "/" : template, httpMethod);
            Optional<RouteDefinition> route = AnnotatedRoutes.read(type, method, key, id(type, method));
            if (route.isEmpty() && locator != null) {
                // an unannotated sub-resource inherits what its locator declares
                route = AnnotatedRoutes.read(locatorType, locator, key, id(type, method));
            }
            route.ifPresent(routes::add);
        } else if (path != null && depth < MAX_LOCATOR_DEPTH && !method.getReturnType().isPrimitive()
                && method.getReturnType() != Object.class && method.getReturnType() != Void.TYPE) {
            collect(method.getReturnType(), template, type, method, routes, problems, depth + 1);
        }
    }

    /** Every resource method of a root resource (annotated or not) at its path relative to the application path. */
    static List<MethodKey> keysOf(Class<?> type) {
        List<MethodKey> keys = new ArrayList<>();
        collectKeys(type, template(type.getAnnotation(Path.class)), keys, 0);
        return keys;
    }

    private static void collectKeys(Class<?> type, String prefix, List<MethodKey> keys, int depth) {
        for (Method method : methods(type)) {
            Path path = method.getAnnotation(Path.class);
            String template = path == null ? prefix : join(prefix, template(path));
            String httpMethod = httpMethod(method);
            try {
                if (httpMethod != null) {
                    keys.add(MethodKey.of(template.isEmpty() ? "/" : template, httpMethod));
                } else if (path != null && depth < MAX_LOCATOR_DEPTH && !method.getReturnType().isPrimitive()
                        && method.getReturnType() != Object.class && method.getReturnType() != Void.TYPE) {
                    collectKeys(method.getReturnType(), template, keys, depth + 1);
                }
            } catch (IllegalArgumentException e) {
                // a template or method this check cannot read; JAX-RS reports its own problems with it
            }
        }
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod designator = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (designator != null) {
                return designator.value();
            }
        }
        return null;
    }

    /** Public methods a container can call: declared here or inherited, without bridges. */
    private static List<Method> methods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (!m.isBridge() && !m.isSynthetic() && m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers())) {
                methods.add(m);
            }
        }
        methods.sort((a, b) -> id(type, a).compareTo(id(type, b)));
        return methods;
    }

    private static String template(Path path) {
        return path == null ? "" : path.value();
    }

    static String join(String a, String b) {
        String left = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
        String right = b.startsWith("/") ? b : "/" + b;
        if (b.isEmpty() || b.equals("/")) {
            return left.isEmpty() ? "/" : left.startsWith("/") ? left : "/" + left;
        }
        String joined = left + right;
        return joined.startsWith("/") ? joined : "/" + joined;
    }
}
