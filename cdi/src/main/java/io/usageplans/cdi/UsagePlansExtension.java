package io.usageplans.cdi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.StageThrottle;
import io.usageplans.annotation.Unmetered;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.enterprise.inject.spi.configurator.AnnotatedTypeConfigurator;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;

/**
 * Finds every class with {@code @UsagePlan}, {@code @MethodThrottle} or {@code @Unmetered} at deployment, binds
 * the metering interceptor to bean methods, compiles JAX-RS resources into routes at their paths, and validates
 * everything against the catalog before the application takes traffic: a bad annotation is a deployment error
 * naming the class, the method and the value.
 */
public class UsagePlansExtension implements Extension {

    private static final System.Logger LOG = System.getLogger(UsagePlansExtension.class.getName());

    private final Set<Class<?>> resources = new LinkedHashSet<>();
    private final Set<Class<?>> allResources = new LinkedHashSet<>();
    private final Set<Class<?>> beans = new LinkedHashSet<>();
    private final Set<String> applicationPaths = new LinkedHashSet<>();
    private final List<RouteDefinition> resourceRoutes = new ArrayList<>();
    private final List<RouteDefinition> beanRoutes = new ArrayList<>();

    /** The bean types an application may replace with an alternative producer of its own. */
    private static final Set<Class<?>> REPLACEABLE = Set.of(Catalog.class, java.time.Clock.class,
            io.usageplans.spi.UsageStore.class, io.usageplans.servlet.ApiKeyResolver.class);

    /**
     * Makes {@code @Produces @Alternative @Priority(1) Catalog catalog()} (the priority on the method, as CDI 4.1 allows)
     * replace our default on CDI 4.0 too, where only a priority on the declaring class selects an alternative producer
     * (WildFly 39 ships CDI 4.0: the plan file silently won there). For the replaceable types only, the method's
     * priority is copied to a class that has none.
     */
    <T> void selectAlternativeProducers(@Observes @WithAnnotations(jakarta.annotation.Priority.class) ProcessAnnotatedType<T> event) {
        if (event.getAnnotatedType().isAnnotationPresent(jakarta.annotation.Priority.class)) {
            return;
        }
        for (AnnotatedMethod<? super T> method : event.getAnnotatedType().getMethods()) {
            if (method.isAnnotationPresent(jakarta.enterprise.inject.Produces.class)
                    && method.isAnnotationPresent(jakarta.enterprise.inject.Alternative.class)
                    && method.isAnnotationPresent(jakarta.annotation.Priority.class)
                    && REPLACEABLE.contains(method.getJavaMember().getReturnType())) {
                event.configureAnnotatedType().add(method.getAnnotation(jakarta.annotation.Priority.class));
                return;
            }
        }
    }

    void registerOwnBeans(@Observes BeforeBeanDiscovery event, BeanManager manager) {
        event.addAnnotatedType(manager.createAnnotatedType(UsagePlansBeans.class), UsagePlansBeans.class.getName());
        event.addAnnotatedType(manager.createAnnotatedType(RunningEngine.class), RunningEngine.class.getName());
        event.addAnnotatedType(manager.createAnnotatedType(MeteringInterceptor.class), MeteringInterceptor.class.getName());
        event.addAnnotatedType(manager.createAnnotatedType(CurrentUsage.class), CurrentUsage.class.getName());
    }

    <T> void findAnnotated(@Observes @WithAnnotations({UsagePlan.class, MethodThrottle.class, Unmetered.class, StageThrottle.class,
            Path.class})
                           ProcessAnnotatedType<T> event) {
        Class<T> type = event.getAnnotatedType().getJavaClass();
        if (Routes.isResource(type)) {
            allResources.add(type);
            if (AnnotatedRoutes.isAnnotated(type) || hasAnnotatedLocator(type)) {
                resources.add(type);
            }
            return; // resources are metered by the filter or the JAX-RS feature, never twice by the interceptor
        }
        if (!AnnotatedRoutes.isAnnotated(type)) {
            return;
        }
        beans.add(type);
        AnnotatedTypeConfigurator<T> configurator = event.configureAnnotatedType();
        if (type.isAnnotationPresent(UsagePlan.class)) {
            configurator.add(Metered.Literal.INSTANCE);
        } else {
            configurator.filterMethods(m -> isAnnotated(m)).forEach(m -> m.add(Metered.Literal.INSTANCE));
        }
    }

    <T extends Application> void findApplicationPath(@Observes @WithAnnotations(ApplicationPath.class) ProcessAnnotatedType<T> event) {
        ApplicationPath path = event.getAnnotatedType().getJavaClass().getAnnotation(ApplicationPath.class);
        if (path != null) {
            applicationPaths.add(path.value());
        }
    }

    void validate(@Observes AfterDeploymentValidation event, BeanManager manager) {
        Catalog catalog;
        try {
            catalog = manager.createInstance().select(Catalog.class).get();
        } catch (RuntimeException e) {
            report(event, e);
            return;
        }
        // every bad annotation is reported, not only the first
        List<RuntimeException> problems = new ArrayList<>();
        for (Class<?> type : resources) {
            resourceRoutes.addAll(checked(Routes.ofResource(type, problems), catalog, problems));
        }
        for (Class<?> type : beans) {
            beanRoutes.addAll(checked(Routes.ofBean(type, problems), catalog, problems));
        }
        problems.forEach(p -> report(event, p));
        LOG.log(System.Logger.Level.DEBUG, "usage-plans: {0} JAX-RS routes and {1} bean routes",
                resourceRoutes.size(), beanRoutes.size());
    }

    private static List<RouteDefinition> checked(List<RouteDefinition> routes, Catalog catalog, List<RuntimeException> problems) {
        List<RouteDefinition> valid = new ArrayList<>();
        for (RouteDefinition route : routes) {
            try {
                AnnotatedRoutes.checkPlansExist(List.of(route), catalog);
                valid.add(route);
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        return valid;
    }

    private static void report(AfterDeploymentValidation event, RuntimeException e) {
        UsagePlansConfigException cause = unwrap(e);
        LOG.log(System.Logger.Level.ERROR, cause != null ? cause.getMessage() : "usage-plans: " + e);
        event.addDeploymentProblem(new DeploymentException(cause != null ? cause.getMessage()
                : "usage-plans: could not validate the annotations: " + e, e));
    }

    /** The routes found, JAX-RS paths prefixed with {@code applicationPath} (e.g. {@code /api}). */
    public List<RouteDefinition> routes(String applicationPath) {
        List<RouteDefinition> all = new ArrayList<>();
        for (RouteDefinition route : resourceRoutes) {
            MethodKey key = route.methodKey();
            all.add(route.at(MethodKey.of(Routes.join(applicationPath, key.resourcePath()), key.httpMethod()), route.id()));
        }
        all.addAll(beanRoutes);
        return all;
    }

    /**
     * Every root resource CDI discovered, annotated or not, and whether it was compiled into routes. JAX-RS may serve
     * more: resources in archives CDI does not scan.
     */
    Set<Class<?>> discoveredResources() {
        return allResources;
    }

    /** Whether routes were compiled for {@code type} (a resource or bean with our annotations). */
    boolean compiled(Class<?> type) {
        return resources.contains(type) || beans.contains(type);
    }

    /** The {@code @ApplicationPath} values seen (only of Application classes CDI discovered). */
    public Set<String> applicationPaths() {
        return applicationPaths;
    }

    private static boolean isAnnotated(AnnotatedMethod<?> method) {
        return method.isAnnotationPresent(UsagePlan.class) || method.isAnnotationPresent(MethodThrottle.class)
                || method.isAnnotationPresent(Unmetered.class) || method.isAnnotationPresent(StageThrottle.class);
    }

    private static boolean hasAnnotatedLocator(Class<?> type) {
        for (java.lang.reflect.Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Path.class) && AnnotatedRoutes.isAnnotated(m.getReturnType())) {
                return true;
            }
        }
        return false;
    }

    private static UsagePlansConfigException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UsagePlansConfigException config) {
                return config;
            }
        }
        return null;
    }
}
