package io.usageplans.servlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.Catalog;
import io.usageplans.Condition;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.Setting;
import io.usageplans.config.Settings;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;

/**
 * Starts usage plans for a web application when it deploys, not at its first request (Undertow initialises filters
 * lazily): takes the engine the CDI module or the application built, or has {@link io.usageplans.config.EngineBootstrap}
 * build one from the settings and the plan file; adds the
 * annotated servlets' routes; checks that nothing annotated or configured is left unmetered by mistake; and logs
 * one line saying what runs. Registered by this jar's {@code web-fragment.xml}; the filter does the same work
 * itself when no listener ran (an embedded server, a {@code metadata-complete} web.xml).
 *
 * <p>A deployment that would serve an annotated endpoint without checking its key fails here, naming the cause:
 * annotations nothing reads (JAX-RS resources without the CDI module), a stage no plan names, a plan-file method
 * key that matches no route. {@code usageplans.enabled=false} is the one deliberate way to run unmetered: the
 * problems are then logged as warnings.
 */
public class UsagePlansBootstrap implements ServletContextListener {

    /**
     * Servlet-context attribute ({@link Boolean#TRUE}) set by the adapter that compiled the application's JAX-RS and
     * CDI annotations into the engine (the CDI module); without it, annotated classes other than servlets are an error.
     */
    public static final String ANNOTATIONS_READ_ATTRIBUTE = "io.usageplans.annotationsRead";
    /** Servlet-context attribute: a {@code Collection<MethodKey>} of every JAX-RS resource method at its full path. */
    public static final String JAXRS_ROUTES_ATTRIBUTE = "io.usageplans.jaxrsRoutes";
    /** Servlet-context attribute: where JAX-RS is served ({@code /api}, or empty for the root). */
    public static final String JAXRS_PATH_ATTRIBUTE = "io.usageplans.jaxrsPath";

    static final String STARTED_ATTRIBUTE = UsagePlansBootstrap.class.getName() + ".started";

    private static final System.Logger LOG = System.getLogger(UsagePlansBootstrap.class.getName());
    private static final List<String> ANNOTATION_DESCRIPTORS = List.of("Lio/usageplans/annotation/UsagePlan;",
            "Lio/usageplans/annotation/MethodThrottle;", "Lio/usageplans/annotation/Unmetered;",
            "Lio/usageplans/annotation/StageThrottle;");

    /** What a started application enforces; the filter reads it from the servlet context. */
    record Started(UsagePlans engine, boolean ownsEngine, ApiKeyResolver keyResolver, List<MeteringCondition> skip,
                   List<MeteringCondition> only, ClientAddresses clientAddresses) {
    }

    private Started started;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        started = start(event.getServletContext(), ContextSettings.of(event.getServletContext()), null, null);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (started != null) {
            stop(event.getServletContext(), started);
            started = null;
        }
    }

    /**
     * Starts usage plans for {@code context} once (later calls return the first result). {@code givenEngine} and
     * {@code givenResolver} come from a filter registered in code, else null.
     *
     * @throws UsagePlansConfigException naming every problem, after logging it
     */
    static synchronized Started start(ServletContext context, Settings settings, UsagePlans givenEngine,
                                      ApiKeyResolver givenResolver) {
        if (context.getAttribute(STARTED_ATTRIBUTE) instanceof Started existing) {
            return existing;
        }
        ClassLoader loader = Optional.ofNullable(context.getClassLoader()).orElse(UsagePlansBootstrap.class.getClassLoader());
        UsagePlans engine = givenEngine;
        boolean owns = false;
        try {
            if (engine == null) {
                engine = running(context).orElse(null); // built by the CDI module or by the application before the filter starts
            }
            if (engine == null) {
                engine = buildEngine(settings, context, loader);
                owns = true;
            }
            Optional<Setting> enabled = settings.find(UsagePlans.ENABLED);
            if (enabled.isPresent()) {
                engine.setEnabled(enabled.get().switchValue());
            }
            ApiKeyResolver resolver = givenResolver;
            if (resolver == null) {
                Optional<Setting> keySource = settings.find(ApiKeyResolver.KEY_SOURCE);
                resolver = keySource.isEmpty() && context.getAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE) instanceof ApiKeyResolver shared
                        ? shared : ApiKeyResolver.fromSetting(keySource.map(Setting::value).orElse(null), loader);
            }
            List<RouteDefinition> servletRoutes = ServletRoutes.find(context, loader);
            if (!servletRoutes.isEmpty()) {
                engine.addRoutes(servletRoutes);
            }
            List<UsagePlansConfigException> conditionProblems = new ArrayList<>();
            List<MeteringCondition> skip = conditions(engine.catalog(), "skip", engine.catalog().skip(), loader, conditionProblems);
            List<MeteringCondition> only = conditions(engine.catalog(), "only", engine.catalog().only(), loader, conditionProblems);
            UsagePlansConfigException.throwIfAny(conditionProblems);
            checkNothingIsLeftOpen(engine, context, loader);
            ClientAddresses clientAddresses = ClientAddresses.fromSettings(settings);
            Started result = new Started(engine, owns, resolver, skip, only, clientAddresses);
            if (context.getAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE) == null) {
                context.setAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE, engine);
            }
            context.setAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE, resolver);
            context.setAttribute(STARTED_ATTRIBUTE, result);
            register(loader, new Running(engine, ApiKeyResolver.describe(resolver), context.getContextPath()));
            LOG.log(System.Logger.Level.INFO, startupLine(engine, resolver));
            return result;
        } catch (UsagePlansConfigException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            if (owns) {
                engine.close();
            }
            throw e;
        }
    }

    /**
     * An application's running engine, the key source its callers use ({@code header:x-api-key}) and its context path
     * ({@code /test}).
     */
    public record Running(UsagePlans engine, String keySource, String contextPath) {
    }

    /** Started applications by their class loader, for code the server runs outside requests and CDI. */
    private static final Map<ClassLoader, Running> BY_LOADER = new WeakHashMap<>();

    private static void register(ClassLoader loader, Running running) {
        synchronized (BY_LOADER) {
            BY_LOADER.put(loader, running);
            BY_LOADER.notifyAll();
        }
    }

    private static void unregister(UsagePlans engine) {
        synchronized (BY_LOADER) {
            BY_LOADER.values().removeIf(running -> running.engine() == engine);
        }
    }

    /**
     * The application started with {@code loader} as its servlet context's class loader, waiting up to {@code wait}
     * for it to start: for code a server runs for the application outside its requests and its CDI container (a
     * MicroProfile OpenAPI filter, built while the application deploys).
     */
    public static Optional<Running> running(ClassLoader loader, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (BY_LOADER) {
            while (true) {
                Running found = BY_LOADER.get(loader);
                long left = deadline - System.nanoTime();
                if (found != null || left <= 0) {
                    return Optional.ofNullable(found);
                }
                try {
                    BY_LOADER.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    /**
     * The engine this application runs, wherever it was built (here, by the CDI module, or by the application), once
     * started; every module (the JAX-RS feature, the admin API) finds it here.
     */
    public static Optional<UsagePlans> running(ServletContext context) {
        return context.getAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE) instanceof UsagePlans engine
                ? Optional.of(engine) : Optional.empty();
    }

    /**
     * The plan file's {@code skip} or {@code only} conditions, compiled; a condition class that cannot be made is a
     * problem naming the plan file, the line, the entry ({@code skip[2].class}) and the class.
     */
    private static List<MeteringCondition> conditions(Catalog catalog, String list, List<Condition> conditions, ClassLoader loader,
                                                      List<UsagePlansConfigException> problems) {
        List<MeteringCondition> compiled = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            try {
                compiled.add(MeteringCondition.of(conditions.get(i), loader));
            } catch (UsagePlansConfigException e) {
                String entry = list + "[" + i + "]";
                problems.add(new UsagePlansConfigException(catalog.source(), entry + "." + e.entry(), catalog.lineOf(entry),
                        e.problem()));
            }
        }
        return compiled;
    }

    static void stop(ServletContext context, Started started) {
        unregister(started.engine());
        context.removeAttribute(STARTED_ATTRIBUTE);
        context.removeAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE);
        if (started.ownsEngine()) {
            context.removeAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE);
            started.engine().close();
        }
    }

    private static UsagePlans buildEngine(Settings settings, ServletContext context, ClassLoader loader) {
        return EngineBootstrap.of(settings, loader).contextPath(context.getContextPath())
                .excludePaths(UsagePlanFilter.modulePaths(context)).build();
    }

    /**
     * Fails (while metering is on) when an annotated endpoint would be served without metering: annotations on
     * classes no adapter compiled, or plan-file method keys that match no route. Every problem is reported at once.
     */
    private static void checkNothingIsLeftOpen(UsagePlans engine, ServletContext context, ClassLoader loader) {
        List<UsagePlansConfigException> problems = new ArrayList<>();
        if (!Boolean.TRUE.equals(context.getAttribute(ANNOTATIONS_READ_ATTRIBUTE))) {
            unreadAnnotations(context, loader).ifPresent(problems::add);
        }
        @SuppressWarnings("unchecked")
        Collection<MethodKey> jaxrsRoutes = context.getAttribute(JAXRS_ROUTES_ATTRIBUTE) instanceof Collection<?> routes
                ? (Collection<MethodKey>) routes : null;
        String jaxrsPath = context.getAttribute(JAXRS_PATH_ATTRIBUTE) instanceof String path ? path : jaxrsServletPath(context);
        problems.addAll(MethodKeyCheck.unmatched(engine, context, jaxrsRoutes, jaxrsPath));
        if (problems.isEmpty()) {
            return;
        }
        if (engine.enabled()) {
            UsagePlansConfigException.throwIfAny(problems);
        }
        for (UsagePlansConfigException problem : problems) {
            LOG.log(System.Logger.Level.WARNING, problem.getMessage() + " (metering is switched off, so this is only a warning)");
        }
    }

    /** Classes other than servlets that carry our annotations, when no adapter compiled them: nothing would enforce them. */
    private static Optional<UsagePlansConfigException> unreadAnnotations(ServletContext context, ClassLoader loader) {
        Set<String> unread = new LinkedHashSet<>();
        for (String name : AnnotationScan.classesMentioning(context, ANNOTATION_DESCRIPTORS, false)) {
            try {
                Class<?> type = Class.forName(name, false, loader);
                if (!HttpServlet.class.isAssignableFrom(type) && AnnotatedRoutes.isAnnotated(type)) {
                    unread.add(name);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // a class that cannot load serves no request
            }
        }
        if (unread.isEmpty()) {
            return Optional.empty();
        }
        boolean cdiModule;
        try {
            Class.forName("io.usageplans.cdi.UsagePlansStartup", false, loader);
            cdiModule = true;
        } catch (ClassNotFoundException | LinkageError e) {
            cdiModule = false;
        }
        String classes = String.join(", ", unread);
        String what = unread.size() == 1 ? classes + " carries @UsagePlan, @MethodThrottle or @Unmetered"
                : classes + " carry @UsagePlan, @MethodThrottle or @Unmetered";
        String why = cdiModule
                ? "usage-plans-cdi is in the application but did not read them: it needs a CDI container (on Tomcat or Jetty, "
                + "Weld's org.jboss.weld.servlet:weld-servlet-core and a WEB-INF/beans.xml, as the README's five-minute guide "
                + "shows) and its web fragment (with a metadata-complete web.xml, declare the listener "
                + "io.usageplans.cdi.UsagePlansStartup yourself)"
                : "usage-plans-servlet alone meters servlets and the plan file only; annotated JAX-RS resources and CDI beans "
                + "need the CDI module: depend on io.usageplans:usage-plans-cdi instead (it brings usage-plans-servlet)";
        return Optional.of(new UsagePlansConfigException(null, null, 0, what + ", but nothing in this application enforces "
                + "those annotations: " + why + ". The deployment stops so that these endpoints are never served without a key; "
                + UsagePlans.ENABLED + "=false switches metering off deliberately"));
    }

    /** The mapping of the JAX-RS servlet, when one is registered ({@code /api/*} gives {@code /api}), else empty. */
    static String jaxrsServletPath(ServletContext context) {
        for (ServletRegistration registration : context.getServletRegistrations().values()) {
            if (MethodKeyCheck.isJaxRs(registration) && !registration.getMappings().isEmpty()) {
                String mapping = registration.getMappings().iterator().next();
                String path = mapping.endsWith("/*") ? mapping.substring(0, mapping.length() - 2) : mapping;
                return path.equals("/") ? "" : path;
            }
        }
        return "";
    }

    /** The one line that says what runs: stage, plans, keys, key source, store, routes, and the plan file. */
    static String startupLine(UsagePlans engine, ApiKeyResolver resolver) {
        Catalog catalog = engine.catalog();
        String store = engine.store().kind();
        return "usage-plans: metering API " + catalog.api() + ", stage '" + engine.stage() + "'"
                + (engine.stageOrigin() == null ? "" : " (" + engine.stageOrigin() + ")") + ": plans " + engine.stagePlans()
                + " of " + catalog.plans().stream().map(Plan::name).toList() + ", " + catalog.apiKeys().size() + " keys, key source "
                + ApiKeyResolver.describe(resolver) + ", store " + store + ", metered: " + engine.meteringMode()
                + ", plans and keys from " + (catalog.source() == null ? "a catalog built in code" : catalog.source())
                + (engine.enabled() ? "" : "; SWITCHED OFF by " + UsagePlans.ENABLED + "=false");
    }
}
