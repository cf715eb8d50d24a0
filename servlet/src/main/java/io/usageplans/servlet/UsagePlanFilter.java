package io.usageplans.servlet;

import java.io.IOException;
import java.util.List;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
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
 * (see {@link ApiKeyResolver}), {@code usageplans.store} ({@code local} or {@code hazelcast}, see {@link io.usageplans.spi.UsageStoreProvider}).
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

    public static final String STAGE = EngineBootstrap.STAGE;
    public static final String EXCLUDE = EngineBootstrap.EXCLUDE;

    private static final System.Logger LOG = System.getLogger(UsagePlanFilter.class.getName());

    private UsagePlans engine;
    private UsagePlansBootstrap.Started started;
    private boolean startedHere;
    private ServletContext context;
    private ApiKeyResolver keyResolver;
    private List<MeteringCondition> skip = List.of();
    private List<MeteringCondition> only = List.of();
    private ClientAddresses clientAddresses = ClientAddresses.defaults();

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
        this.context = config.getServletContext();
        try {
            // the listener of this jar's web fragment started it at deployment; else (embedded, metadata-complete) start here
            boolean startedBefore = context.getAttribute(UsagePlansBootstrap.STARTED_ATTRIBUTE) != null;
            started = UsagePlansBootstrap.start(context, ContextSettings.of(config), engine, keyResolver);
            startedHere = !startedBefore;
        } catch (UsagePlansConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        if (engine == null) {
            engine = started.engine();
        }
        if (keyResolver == null) {
            keyResolver = started.keyResolver();
        }
        skip = started.skip();
        only = started.only();
        clientAddresses = started.clientAddresses();
    }

    /** The paths other modules registered under {@link #EXCLUDE_ATTRIBUTE}, never metered. */
    public static java.util.Collection<?> modulePaths(ServletContext context) {
        return context.getAttribute(EXCLUDE_ATTRIBUTE) instanceof java.util.Collection<?> paths ? paths : List.of();
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
        String clientAddress = null;
        Decision decision;
        boolean counts;
        try {
            key = keyResolver.resolve(request);
            String servletPath = request.getPathInfo() == null ? request.getServletPath() : request.getServletPath() + request.getPathInfo();
            String path = servletPath.isEmpty() ? "/" : servletPath;
            // a skip/only condition or an excluded path: the request does not count, on any layer inside either
            counts = counts(request) && !engine.excluded(path);
            if (counts) {
                clientAddress = engine.metersClientAddresses() ? clientAddresses.of(request) : null;
                decision = engine.decide(key, clientAddress, request.getMethod(), path);
            } else {
                decision = Decision.notMetered();
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
        FilterResponder responder = new FilterResponder(engine, request, response, decision);
        // the layers inside (JAX-RS feature, interceptor) see what was settled here: metered, or not counted at all
        MeteringContext previous = counts ? MeteringContext.enterRequest(key, clientAddress, decision, responder)
                : MeteringContext.enterUncountedRequest(key, responder);
        boolean async = false;
        boolean failed = false;
        try {
            chain.doFilter(request, response);
            async = request.isAsyncStarted();
            if (async) {
                request.getAsyncContext().addListener(new CompletionListener(responder));
            }
        } catch (IOException | ServletException | RuntimeException e) {
            UsagePlanRejectedException rejected = rejection(e);
            if (rejected == null || response.isCommitted()) {
                failed = true;
                throw e;
            }
            // a metered bean method refused the call after this filter let it through: answer as the gateway does
            RejectionResponse.reject(rejected.decision(), request, response);
        } finally {
            MeteringContext.restore(previous);
            if (!async) {
                // the final status the application (or a later filter) set, or the container's 500 for an exception
                // that leaves here uncommitted: limits with countStatuses may give units back
                responder.complete(failed && !response.isCommitted() ? 500 : response.getStatus());
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

    /** Completes an asynchronous request's decisions when its response is done. */
    private record CompletionListener(FilterResponder responder) implements jakarta.servlet.AsyncListener {
        @Override
        public void onComplete(jakarta.servlet.AsyncEvent event) {
            responder.complete(((HttpServletResponse) event.getSuppliedResponse()).getStatus());
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
        if (startedHere && started != null && context != null) {
            UsagePlansBootstrap.stop(context, started);
        }
    }

    /** The engine this filter enforces, once initialised. */
    public UsagePlans engine() {
        return engine;
    }
}
