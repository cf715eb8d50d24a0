package io.usageplans.cdi;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.Setting;
import io.usageplans.config.Settings;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.servlet.AnnotationScan;
import io.usageplans.servlet.ApiKeyResolver;
import io.usageplans.servlet.ContextSettings;
import io.usageplans.servlet.MethodKeyCheck;
import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.servlet.UsagePlansBootstrap;
import io.usageplans.UsageAlert;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;

/**
 * Starts the engine with {@link EngineBootstrap} from the CDI beans (catalog, clock, store, listeners) and the routes
 * the extension compiled, before any filter or servlet starts, and hands it to the servlet module's start-up (which checks and announces it) through the
 * servlet context. Also tells it every JAX-RS route of the application, so that plan-file method keys can be checked
 * against them. Registered by this jar's {@code web-fragment.xml}; embedded servers add it themselves.
 */
public class UsagePlansStartup implements ServletContextListener {

    /** Setting for the JAX-RS application path when it cannot be found (e.g. {@code /api}). */
    public static final String JAXRS_PATH = "usageplans.jaxrs-path";

    private static final System.Logger LOG = System.getLogger(UsagePlansStartup.class.getName());
    private static final List<String> SCANNED = List.of("Ljakarta/ws/rs/Path;", "Lio/usageplans/annotation/UsagePlan;",
            "Lio/usageplans/annotation/MethodThrottle;", "Lio/usageplans/annotation/Unmetered;",
            "Lio/usageplans/annotation/StageThrottle;");

    private UsagePlans engine;
    private RunningEngine runningEngine;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: no CDI container in this application, so annotations on "
                    + "beans and JAX-RS resources cannot be read; the deployment stops if any are annotated");
            return;
        }
        try {
            Settings settings = ContextSettings.of(context);
            UsagePlansExtension extension = cdi.getBeanManager().getExtension(UsagePlansExtension.class);
            String applicationPath = applicationPath(context, extension, settings);
            List<RouteDefinition> routes = new ArrayList<>(extension.routes(applicationPath));
            Set<MethodKey> jaxrsRoutes = new LinkedHashSet<>();
            for (Class<?> resource : extension.discoveredResources()) {
                jaxrsRoutes.addAll(at(applicationPath, Routes.keysOf(resource)));
            }
            // resources CDI did not discover (no bean-defining annotation): compiled here, so that the filter meters
            // them by path from the first request, whether or not the application registers UsagePlanFeature
            List<RuntimeException> problems = new ArrayList<>();
            ClassLoader loader = context.getClassLoader() != null ? context.getClassLoader() : UsagePlansStartup.class.getClassLoader();
            Set<String> scanned = AnnotationScan.classesMentioning(context, SCANNED, false);
            addUndiscovered(scanned, extension, applicationPath, loader, routes, jaxrsRoutes, problems);

            UsagePlans existing = UsagePlansBootstrap.running(context).orElse(null);
            Catalog catalog = existing != null ? existing.catalog() : cdi.select(Catalog.class).get();
            for (RouteDefinition route : routes) {
                try {
                    AnnotatedRoutes.checkPlansExist(List.of(route), catalog);
                } catch (RuntimeException e) {
                    problems.add(e);
                }
            }
            throwAll(problems);
            if (existing != null) {
                existing.addRoutes(routes); // the application built its own engine: it still gets the annotations
            } else {
                // the beans (an application may replace each) stand in for what the bootstrap would read itself
                engine = EngineBootstrap.of(settings, loader).catalog(catalog).contextPath(context.getContextPath())
                        .excludePaths(UsagePlanFilter.modulePaths(context))
                        .clock(cdi.select(Clock.class).get())
                        .store(cdi.select(UsageStore.class).get()) // a bean: CDI closes it
                        .routes(routes)
                        .listeners(cdi.select(UsageListener.class)) // beans that implement the listener SPI hear every decision
                        .listeners(List.of(new AlertEvents(cdi.getBeanManager().getEvent().select(UsageAlert.class))))
                        .build();
                context.setAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE, engine);
                context.setAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE, cdi.select(ApiKeyResolver.class).get());
            }
            UsagePlans running = existing != null ? existing : engine;
            runningEngine = cdi.select(RunningEngine.class).get();
            runningEngine.start(running);
            if (!MethodKeyCheck.unmatched(running, context, jaxrsRoutes, applicationPath).isEmpty()) {
                // before calling a method key wrong, look for resources in the libraries too
                addUndiscovered(AnnotationScan.classesMentioning(context, List.of(SCANNED.get(0)), true), extension,
                        applicationPath, loader, null, jaxrsRoutes, null);
            }
            context.setAttribute(UsagePlansBootstrap.ANNOTATIONS_READ_ATTRIBUTE, Boolean.TRUE);
            context.setAttribute(UsagePlansBootstrap.JAXRS_ROUTES_ATTRIBUTE, List.copyOf(jaxrsRoutes));
            context.setAttribute(UsagePlansBootstrap.JAXRS_PATH_ATTRIBUTE, applicationPath);
            LOG.log(System.Logger.Level.DEBUG, "usage-plans: engine from CDI, JAX-RS at ''{0}'', {1} JAX-RS methods",
                    applicationPath.isEmpty() ? "/" : applicationPath, jaxrsRoutes.size());
        } catch (UsagePlansConfigException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            if (engine != null) {
                engine.close();
                engine = null;
            }
            throw e;
        }
    }

    /**
     * Adds the resources among {@code classNames} that CDI did not discover: their methods to {@code jaxrsRoutes} and,
     * when {@code routes} is given, their annotated methods as routes.
     */
    private static void addUndiscovered(Collection<String> classNames, UsagePlansExtension extension, String applicationPath,
                                        ClassLoader loader, List<RouteDefinition> routes, Set<MethodKey> jaxrsRoutes,
                                        List<RuntimeException> problems) {
        for (String name : classNames) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue; // a class that cannot load serves no request
            }
            if (!Routes.isResource(type) || extension.discoveredResources().contains(type)) {
                continue;
            }
            jaxrsRoutes.addAll(at(applicationPath, Routes.keysOf(type)));
            if (routes != null && AnnotatedRoutes.isAnnotated(type) && !extension.compiled(type)) {
                for (RouteDefinition route : Routes.ofResource(type, problems)) {
                    MethodKey key = route.methodKey();
                    routes.add(route.at(MethodKey.of(Routes.join(applicationPath, key.resourcePath()), key.httpMethod()), route.id()));
                }
            }
        }
    }

    private static List<MethodKey> at(String applicationPath, List<MethodKey> keys) {
        List<MethodKey> full = new ArrayList<>(keys.size());
        for (MethodKey key : keys) {
            full.add(MethodKey.of(Routes.join(applicationPath, key.resourcePath()), key.httpMethod()));
        }
        return full;
    }

    private static void throwAll(List<RuntimeException> problems) {
        List<UsagePlansConfigException> config = new ArrayList<>();
        for (RuntimeException problem : problems) {
            config.add(problem instanceof UsagePlansConfigException c ? c
                    : new UsagePlansConfigException(null, null, 0, "could not read the annotations: " + problem));
        }
        UsagePlansConfigException.throwIfAny(config);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (runningEngine != null) {
            runningEngine.stop();
            runningEngine = null;
        }
        if (engine != null) {
            event.getServletContext().removeAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE);
            event.getServletContext().removeAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE);
            engine.close(); // not the store: it is a bean, CDI closes it
            engine = null;
        }
    }

    /**
     * Where JAX-RS resources are served, relative to the context: the setting, else the mapping of the JAX-RS
     * servlet, else {@code @ApplicationPath}, else the root; never an application below the paths other modules keep
     * out of metering.
     */
    static String applicationPath(ServletContext context, UsagePlansExtension extension, Settings settings) {
        Optional<Setting> explicit = settings.find(JAXRS_PATH);
        if (explicit.isPresent()) {
            return normalize(explicit.get().value());
        }
        for (ServletRegistration registration : context.getServletRegistrations().values()) {
            Collection<String> mappings = registration.getMappings();
            if (MethodKeyCheck.isJaxRs(registration) && !mappings.isEmpty()
                    && !underModulePaths(context, normalize(mappings.iterator().next()))) {
                return normalize(mappings.iterator().next());
            }
        }
        return extension.applicationPaths().stream().map(UsagePlansStartup::normalize)
                .filter(path -> !underModulePaths(context, path)).findFirst().orElse("");
    }

    /**
     * Whether {@code path} lies below the paths other modules keep out of metering ({@link UsagePlanFilter#EXCLUDE_ATTRIBUTE},
     * e.g. the admin API's {@code /usage-plans/*}): a JAX-RS application there (the admin's own) serves none of the
     * metered resources, so it must not decide where they are when a WAR has two.
     */
    private static boolean underModulePaths(ServletContext context, String path) {
        if (context.getAttribute(UsagePlanFilter.EXCLUDE_ATTRIBUTE) instanceof Collection<?> excluded) {
            for (Object pattern : excluded) {
                String prefix = String.valueOf(pattern);
                if (prefix.endsWith("/*") && (path + "/").startsWith(prefix.substring(0, prefix.length() - 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String normalize(String path) {
        String p = path.trim();
        if (p.endsWith("/*")) {
            p = p.substring(0, p.length() - 2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            p = "/" + p;
        }
        return p;
    }
}
