package io.usageplans.servlet;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.MeteringContext;
import io.usageplans.Plan;
import io.usageplans.PlanFileLocator;
import io.usageplans.RouteDefinition;
import io.usageplans.Setting;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageStoreProvider;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Enforces usage plans on every request it covers: resolve the key, decide with the one engine, write the
 * RateLimit fields, and either pass the request on or answer 403/429. A WAR gets it from this jar's
 * {@code web-fragment.xml}; code can register it with an engine of its own.
 *
 * <p>Settings (init-param, system property, or environment variable such as {@code USAGEPLANS_CONFIG}):
 * {@code usageplans.config} (plan file), {@code usageplans.stage} (default: the context path without its slash),
 * {@code usageplans.exclude} (comma-separated path patterns never metered), {@code usageplans.key-source}
 * (see {@link ApiKeyResolver}), {@code usageplans.store} ({@code local} or {@code hazelcast}, see {@link UsageStoreProvider}).
 */
public class UsagePlanFilter implements Filter {

    /** The servlet-context attribute holding the application's {@link UsagePlans} engine, shared by every adapter. */
    public static final String ENGINE_ATTRIBUTE = UsagePlans.class.getName();

    /**
     * A servlet-context attribute holding a {@code Collection<String>} of path patterns other modules serve and that
     * are never metered, such as the admin's {@code /usage-plans/*}; they add to it before the engine starts (from a
     * {@code ServletContainerInitializer}).
     */
    public static final String EXCLUDE_ATTRIBUTE = "io.usageplans.servlet.excludePaths";
    /** The servlet-context attribute with an {@link ApiKeyResolver} the application chose (e.g. a CDI bean). */
    public static final String RESOLVER_ATTRIBUTE = ApiKeyResolver.class.getName();

    public static final String STAGE = "usageplans.stage";
    public static final String EXCLUDE = "usageplans.exclude";

    private static final System.Logger LOG = System.getLogger(UsagePlanFilter.class.getName());

    private UsagePlans engine;
    private boolean ownsEngine;
    private boolean publishedEngine;
    private ServletContext context;
    private ApiKeyResolver keyResolver;
    private List<MeteringCondition> skip = List.of();
    private List<MeteringCondition> only = List.of();

    /** For {@code web-fragment.xml} and {@code web.xml}: the engine is built from the plan file at {@link #init}. */
    public UsagePlanFilter() {
    }

    /** For registration in code, with an engine built in code; the filter does not close it. */
    public UsagePlanFilter(UsagePlans engine, ApiKeyResolver keyResolver) {
        this.engine = engine;
        this.keyResolver = keyResolver;
    }

    public UsagePlanFilter(UsagePlans engine) {
        this(engine, ApiKeyResolver.header("x-api-key"));
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        ServletContext context = config.getServletContext();
        this.context = context;
        ClassLoader loader = Optional.ofNullable(context.getClassLoader()).orElse(UsagePlanFilter.class.getClassLoader());
        try {
            if (keyResolver == null) {
                // the filter's own setting, else a resolver the application put in the context (a CDI bean), else the default
                Optional<Setting> keySource = Setting.find(ApiKeyResolver.KEY_SOURCE, config::getInitParameter);
                keyResolver = keySource.isEmpty() && context.getAttribute(RESOLVER_ATTRIBUTE) instanceof ApiKeyResolver shared
                        ? shared : ApiKeyResolver.fromSetting(keySource.map(Setting::value).orElse(null), loader);
            }
            if (engine == null && context.getAttribute(ENGINE_ATTRIBUTE) instanceof UsagePlans shared) {
                engine = shared; // built by the application (or another adapter) before this filter started
            }
            if (engine == null) {
                engine = buildEngine(config, context, loader);
                ownsEngine = true;
            }
            if (context.getAttribute(ENGINE_ATTRIBUTE) == null) {
                context.setAttribute(ENGINE_ATTRIBUTE, engine);
                publishedEngine = true;
            }
            Optional<Setting> enabled = Setting.find(UsagePlans.ENABLED, config::getInitParameter);
            if (enabled.isPresent()) {
                engine.setEnabled(parseSwitch(enabled.get()));
            }
            skip = MeteringCondition.compile(engine.catalog().skip(), loader);
            only = MeteringCondition.compile(engine.catalog().only(), loader);
            List<RouteDefinition> servletRoutes = ServletRoutes.find(context, loader);
            if (!servletRoutes.isEmpty()) {
                engine.addRoutes(servletRoutes);
            }
            LOG.log(System.Logger.Level.INFO, "usage-plans: metering API {0}, stage ''{1}'': {2} plans, {3} keys; metered: {4}{5}",
                    engine.catalog().api(), engine.stage(), engine.catalog().plans().size(), engine.catalog().apiKeys().size(),
                    engine.meteringMode(), engine.enabled() ? "" : "; SWITCHED OFF by " + UsagePlans.ENABLED + "=false");
        } catch (UsagePlansConfigException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            throw new ServletException(e.getMessage(), e);
        }
    }

    /** Excludes the paths other modules registered under {@link #EXCLUDE_ATTRIBUTE}. */
    public static void excludeModulePaths(ServletContext context, UsagePlans.Builder builder) {
        if (context.getAttribute(EXCLUDE_ATTRIBUTE) instanceof java.util.Collection<?> paths) {
            for (Object path : paths) {
                builder.excludePath(String.valueOf(path));
            }
        }
    }

    private static UsagePlans buildEngine(FilterConfig config, ServletContext context, ClassLoader loader) {
        Catalog catalog = PlanFileLocator.load(config::getInitParameter, loader);
        UsagePlans.Builder builder = UsagePlans.builder(catalog).stage(stage(config, context, catalog))
                .usageReportDays(UsagePlans.reportDays(config::getInitParameter));
        UsageStoreProvider.fromSettings(config::getInitParameter, loader).ifPresent(provider -> builder.ownedStore(
                provider.create(name -> Setting.find(name, config::getInitParameter).map(Setting::value).orElse(null),
                        Clock.systemUTC(), loader)));
        excludeModulePaths(context, builder);
        Setting.find(EXCLUDE, config::getInitParameter).ifPresent(setting -> {
            for (String pattern : setting.value().split(",")) {
                if (!pattern.isBlank()) {
                    try {
                        builder.excludePath(pattern.trim());
                    } catch (UsagePlansConfigException e) {
                        throw new UsagePlansConfigException(setting.origin(), pattern.trim(), 0, e.problem());
                    }
                }
            }
        });
        return builder.build();
    }

    /** {@code true} or {@code false}, nothing else: a typo must not silently switch limits off. */
    public static boolean parseSwitch(Setting setting) {
        String value = setting.value().trim();
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new UsagePlansConfigException(setting.origin(), null, 0, "must be true or false, was '" + value + "'");
    }

    /** The explicit setting, else the context path without its slash, else the catalog's only stage. */
    static String stage(FilterConfig config, ServletContext context, Catalog catalog) {
        return stage(config::getInitParameter, context.getContextPath(), catalog);
    }

    /**
     * The stage of an application: the setting {@code usageplans.stage} (adapter parameter, system property,
     * {@code USAGEPLANS_STAGE}), else the context path without its slash ({@code /test} is {@code test}), else,
     * at the root context, the plans' only stage.
     */
    public static String stage(UnaryOperator<String> parameters, String contextPath, Catalog catalog) {
        Optional<Setting> explicit = Setting.find(STAGE, parameters);
        if (explicit.isPresent()) {
            return explicit.get().value();
        }
        if (contextPath != null && contextPath.length() > 1) {
            return contextPath.substring(1);
        }
        Set<String> stages = new LinkedHashSet<>();
        for (Plan plan : catalog.plans()) {
            plan.apiStages().forEach(s -> stages.add(s.stage()));
        }
        if (stages.size() == 1) {
            return stages.iterator().next();
        }
        throw new UsagePlansConfigException(STAGE, "the application runs at the root context, so its stage cannot be "
                + "taken from the context path, and the plans name " + (stages.isEmpty() ? "no stage" : "stages " + stages)
                + "; set usageplans.stage (init-param, system property or USAGEPLANS_STAGE)");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || MeteringContext.inRequest()) {
            // not HTTP, or this request already passed a usage-plans filter on this thread: count once
            chain.doFilter(req, res);
            return;
        }
        String key;
        Decision decision;
        try {
            key = keyResolver.resolve(request);
            if (counts(request)) {
                String path = request.getPathInfo() == null ? request.getServletPath() : request.getServletPath() + request.getPathInfo();
                decision = engine.decide(key, request.getMethod(), path.isEmpty() ? "/" : path);
            } else {
                decision = Decision.notMetered(); // a skip/only condition says this request does not count
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: could not decide " + request.getMethod() + " "
                    + request.getRequestURI() + "; answering 500", e);
            RejectionResponse.internalError(response);
            return;
        }
        if (!decision.passes()) {
            RejectionResponse.reject(decision, request, response);
            return;
        }
        RejectionResponse.rateLimitFields(decision, response);
        MeteringContext previous = MeteringContext.enterRequest(key, decision);
        boolean async = false;
        try {
            chain.doFilter(request, response);
            async = request.isAsyncStarted();
            if (async) {
                request.getAsyncContext().addListener(new CompletionListener(engine, decision));
            }
        } catch (IOException | ServletException | RuntimeException e) {
            UsagePlanRejectedException rejected = rejection(e);
            if (rejected == null || response.isCommitted()) {
                throw e;
            }
            // a metered bean method refused the call after this filter let it through: answer as the gateway does
            RejectionResponse.reject(rejected.decision(), request, response);
        } finally {
            MeteringContext.restore(previous);
            if (!async) {
                // the final status the application (or a later filter) set: limits with countStatuses may give units back
                engine.complete(decision, response.getStatus());
            }
        }
    }

    /** The skip and only conditions: not metered when a skip condition matches, or when only-conditions exist and none does. */
    private boolean counts(HttpServletRequest request) {
        for (MeteringCondition condition : skip) {
            if (condition.test(request)) {
                return false;
            }
        }
        if (only.isEmpty()) {
            return true;
        }
        for (MeteringCondition condition : only) {
            if (condition.test(request)) {
                return true;
            }
        }
        return false;
    }

    /** Completes an asynchronous request's decision when its response is done. */
    private record CompletionListener(UsagePlans engine, Decision decision) implements jakarta.servlet.AsyncListener {
        @Override
        public void onComplete(jakarta.servlet.AsyncEvent event) {
            engine.complete(decision, ((HttpServletResponse) event.getSuppliedResponse()).getStatus());
        }

        @Override
        public void onTimeout(jakarta.servlet.AsyncEvent event) {
        }

        @Override
        public void onError(jakarta.servlet.AsyncEvent event) {
        }

        @Override
        public void onStartAsync(jakarta.servlet.AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    /** The usage-plan rejection that {@code e} is or wraps (servlet containers and Jersey wrap exceptions), or null. */
    static UsagePlanRejectedException rejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UsagePlanRejectedException rejected) {
                return rejected;
            }
        }
        return null;
    }

    @Override
    public void destroy() {
        if (publishedEngine && context != null) {
            context.removeAttribute(ENGINE_ATTRIBUTE);
        }
        if (ownsEngine && engine != null) {
            engine.close();
        }
    }

    /** The engine this filter enforces, once initialised. */
    public UsagePlans engine() {
        return engine;
    }
}
