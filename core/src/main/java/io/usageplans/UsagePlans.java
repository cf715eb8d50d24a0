package io.usageplans;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.internal.MeteringEngine;
import io.usageplans.manage.AdminContext;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.PlanDirectory;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.local.LocalUsageStore;

/**
 * The usage plans of one stage of an API: key, then plan, then throttle and quota, in one call to the store. Every
 * adapter (servlet filter, JAX-RS, CDI) calls {@link #decide} and, once the response is known, {@link #complete}.
 * Made with {@link #builder}; the work is done by an engine in {@code io.usageplans.internal}.
 */
public final class UsagePlans implements AutoCloseable {

    /** The off switch: {@code usageplans.enabled=false} (init-param, system property or USAGEPLANS_ENABLED). */
    public static final String ENABLED = "usageplans.enabled";

    /**
     * Shadow (report-only) mode for every plan: {@code usageplans.shadow=true} (init-param, context-param, MicroProfile
     * Config, system property or USAGEPLANS_SHADOW). Every request is decided and counted and gets its RateLimit
     * fields, but none is refused; see {@link Decision#wouldRefuse()}. A plan's own {@code shadow: true} does the same
     * for that plan only.
     */
    public static final String SHADOW = "usageplans.shadow";

    /** Days of per-key daily usage kept for reports (AWS GetUsage), 90 by default. */
    public static final String REPORT_DAYS = "usageplans.report-days";

    /**
     * Logger of the rejected requests (key masked): per reason, the first 10 of each minute one by one, then one line
     * that counts the rest. Set it to WARNING to silence them.
     */
    public static final String REJECTIONS_LOGGER = "io.usageplans.rejections";

    /**
     * What a key resolver hands {@link #decide} for a request that carries more than one distinct key (several
     * {@code x-api-key} headers, say): the request is refused with 403, reason {@link ForbiddenReason#SEVERAL_KEYS},
     * since either value could be the one meant. No real key can equal it (it holds a control character).
     */
    public static final String SEVERAL_KEYS = MeteringEngine.SEVERAL_KEYS;

    /**
     * What a key resolver returns for a caller identified by the <em>name</em> of its API key rather than its value: an
     * identity the application authenticated (AWS's AUTHORIZER key source). An unknown name is refused with 403, as an
     * unknown key is.
     */
    public static String keyNamed(String name) {
        return MeteringEngine.KEY_NAMED + (name == null ? "" : name);
    }

    private static final System.Logger LOG = System.getLogger(UsagePlans.class.getName());

    private final MeteringEngine engine;
    private final DecisionCounters counters = new DecisionCounters();
    /** What {@link #closeWith} was given, closed (last first) when this engine closes; null once it closed. */
    private List<AutoCloseable> closeables = new ArrayList<>();

    private UsagePlans(Builder builder) {
        UsageStore store = builder.store == null
                ? LocalUsageStore.create(builder.clock, java.time.Duration.ofMinutes(1), builder.reportDays) : builder.store;
        this.engine = new MeteringEngine(new MeteringEngine.Setup(builder.catalog, builder.stage, builder.stageOrigin,
                builder.clock, store, builder.store == null || builder.closeStore, builder.enabled, builder.shadow, builder.responses,
                builder.excludes, builder.routes, builder.listeners, builder.discoverListeners,
                System.getLogger(REJECTIONS_LOGGER), counters));
    }

    public static Builder builder(Catalog catalog) {
        return new Builder(catalog);
    }

    /**
     * Decides one request. {@code presentedKey} is the raw key the caller sent (may be null or garbage);
     * {@code path} is relative to the application (servlet path plus path info), e.g. {@code /pets/7}.
     */
    public Decision decide(String presentedKey, String httpMethod, String path) {
        return engine.decide(presentedKey, httpMethod, path);
    }

    /**
     * Decides one request, with the caller's {@code clientAddress}: the identity of callers of keyless methods (an IPv4
     * address, or an IPv6 prefix such as {@code 2001:db8:0:1::/64}); null when unknown, and a keyless method then
     * answers 403.
     */
    public Decision decide(String presentedKey, String clientAddress, String httpMethod, String path) {
        return engine.decide(presentedKey, clientAddress, httpMethod, path);
    }

    /**
     * Decides a call of the route an adapter registered as {@code routeId} (a CDI interceptor metering a bean
     * method), with the key of the current request or one the caller set.
     *
     * @throws IllegalArgumentException if no route has that id
     */
    public Decision decideRoute(String presentedKey, String routeId) {
        return engine.decideRoute(presentedKey, routeId);
    }

    /** As {@link #decideRoute(String, String)}, with the caller's client address for keyless routes. */
    public Decision decideRoute(String presentedKey, String clientAddress, String routeId) {
        return engine.decideRoute(presentedKey, clientAddress, routeId);
    }

    /**
     * Tells the engine the final status of an allowed request, once the application answered. Limits that count
     * only some statuses ({@code countStatuses}) get this request's units back if its status is not among them,
     * exactly once however often this is called. Cheap and safe for any decision.
     */
    public void complete(Decision decision, int status) {
        if (decision.metered() && decision.outcome() == Outcome.ALLOWED && decision.markCompleted()) {
            engine.complete(decision.apiKey(), decision.limits(), decision.quotaWindow(), decision.nowNanos(),
                    decision.cost(), status);
        }
    }

    /**
     * The off switch: while disabled every request passes unmetered and no RateLimit fields are written; the
     * catalog and the annotations stay compiled and validated. Takes effect at once.
     */
    public void setEnabled(boolean value) {
        engine.setEnabled(value);
    }

    public boolean enabled() {
        return engine.enabled();
    }

    /**
     * Shadow (report-only) mode for every plan of this engine: {@code true} lets every request through that would be
     * refused, and logs, counts and reports it as {@linkplain Decision#wouldRefuse() would refuse}; {@code false}
     * enforces again, except for plans that are in shadow mode themselves. Takes effect with the next request.
     */
    public void setShadow(boolean value) {
        engine.setShadow(value);
    }

    /** Whether every plan is in shadow (report-only) mode ({@value #SHADOW}); a plan may be so on its own too. */
    public boolean shadow() {
        return engine.shadow();
    }

    /** What this engine decided since start, by plan, key and reason. */
    public DecisionCounters counters() {
        return counters;
    }

    /** Adds a listener that hears every metered decision from now on. */
    public void addListener(UsageListener listener) {
        engine.addListener(listener);
    }

    /** Removes a listener added before; returns whether it was there. */
    public boolean removeListener(UsageListener listener) {
        return engine.removeListener(listener);
    }

    /** The listeners that hear every metered decision, in the order they hear it: given, found and added ones. */
    public List<UsageListener> listeners() {
        return engine.listeners();
    }

    /**
     * Closes {@code resource} when this engine closes, before the store: for what is attached to a running engine and
     * must stop with it (the plan file's watcher), without being called for every decision as a {@link UsageListener}
     * would. Resources are closed last first; one that fails is logged and the others are still closed. Given once this
     * engine has closed, {@code resource} is closed at once.
     */
    public void closeWith(AutoCloseable resource) {
        Objects.requireNonNull(resource, "resource");
        synchronized (this) {
            if (closeables != null) {
                closeables.add(resource);
                return;
            }
        }
        close(resource);
    }

    /**
     * Replaces plans and keys without a restart; requests already being decided finish on the old catalog.
     * State in the store is kept: a key keeps its buckets and quota count on the same plan.
     */
    public void replaceCatalog(Catalog catalog) {
        engine.replaceCatalog(catalog);
    }

    public Catalog catalog() {
        return engine.catalog();
    }

    /**
     * Closes what was given to {@link #closeWith} (last first), writes the count of rejections not yet logged, tells the
     * listeners, and closes the store if this engine created it or was given it to own.
     */
    @Override
    public void close() {
        List<AutoCloseable> closing;
        synchronized (this) {
            closing = closeables == null ? List.of() : closeables;
            closeables = null;
        }
        try {
            for (int i = closing.size() - 1; i >= 0; i--) {
                close(closing.get(i));
            }
        } finally {
            engine.close();
        }
    }

    private static void close(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(System.Logger.Level.WARNING, "usage-plans: " + resource.getClass().getName() + " failed to close "
                    + "with the engine; the rest is closed", e);
        }
    }

    /**
     * The operator's side of this engine: usage reports, key lifecycle, CSV import and quota changes. Cheap; it holds
     * no state of its own, so every call may make one.
     */
    public UsagePlansAdmin admin() {
        return new UsagePlansAdmin(new EngineAdminContext(engine));
    }

    // What adapters and the admin API read at start-up and for reports.

    /** Where keys are added, changed and removed at run time: this JVM's catalog, or the cluster's shared keys. */
    public KeyDirectory keyDirectory() {
        return engine.keyDirectory();
    }

    /** Where plans are created, changed, removed and reloaded at run time: this JVM's catalog, or the cluster's plans. */
    public PlanDirectory planDirectory() {
        return engine.planDirectory();
    }

    /** The plan named {@code name} as this engine compiled it, if it applies to this engine's stage. */
    public Optional<Plan> planOnStage(String name) {
        return engine.planOnStage(name);
    }

    /** The current quota period of plan {@code name} on this engine's clock, or null if it has no quota. */
    public QuotaWindow quotaWindow(String planName) {
        return engine.quotaWindow(planName);
    }

    /** How this engine's refusals look. */
    public ResponseSettings responses() {
        return engine.responses();
    }

    /** Requests let through unmetered because the store could not answer and their plan fails open. */
    public long failedOpenCount() {
        return engine.failedOpenCount();
    }

    /** Requests answered 503 because the store could not answer and their plan fails closed. */
    public long failedClosedCount() {
        return engine.failedClosedCount();
    }

    /**
     * Adds routes found by an adapter (annotated servlets, JAX-RS resources, CDI beans) and recompiles the route
     * table. Fails, leaving the engine unchanged, when a route names an unknown plan or clashes with another.
     */
    public void addRoutes(List<RouteDefinition> found) {
        engine.addRoutes(found);
    }

    /**
     * Whether {@code path} (relative to the application) is never metered: the catalog's {@code excludePaths} or one
     * an adapter or module excluded. Adapters mark such a request as not counted, so no layer inside meters it.
     */
    public boolean excluded(String path) {
        return engine.excluded(path);
    }

    /** The paths and methods of the routes adapters registered (annotated servlets and JAX-RS methods). */
    public List<MethodKey> annotatedRouteKeys() {
        return engine.annotatedRouteKeys();
    }

    /** The names of the plans that apply to this engine's stage, in catalog order. */
    public List<String> stagePlans() {
        return engine.stagePlans();
    }

    /** The route an adapter registered under {@code routeId}, to check at start-up that it exists. */
    public boolean hasRoute(String routeId) {
        return engine.hasRoute(routeId);
    }

    /** The stage this engine meters, e.g. {@code test}. */
    public String stage() {
        return engine.stage();
    }

    /** Where the stage came from ({@code the context path /test}), or null when code set it. */
    public String stageOrigin() {
        return engine.stageOrigin();
    }

    public Clock clock() {
        return engine.clock();
    }

    public UsageStore store() {
        return engine.store();
    }

    /**
     * Whether an operation is metered, and for which plans, with which method throttle and cost, as this engine would
     * decide a call of it now: for documentation (the OpenAPI filter of {@code usage-plans-microprofile}).
     *
     * @param httpMethod {@code GET}, {@code POST}, ...
     * @param path       a path relative to the application, literal or a template ({@code /pets/{petId}})
     */
    public RouteDescription describe(String httpMethod, String path) {
        return engine.describe(httpMethod, path);
    }

    /** Whether a route meters callers without a key, by client address (so adapters resolve it only then). */
    public boolean metersClientAddresses() {
        return engine.metersClientAddresses();
    }

    /** Whether any plan applies to this stage, i.e. any request can be metered at all. */
    public boolean metersAnything() {
        return engine.metersAnything();
    }

    /** Whether annotated routes decide what is metered (else every request of the stage is), and how many routes there are. */
    public String meteringMode() {
        return engine.meteringMode();
    }

    /** What {@link #admin()} sees of the engine: no more than {@link AdminContext} names. */
    private record EngineAdminContext(MeteringEngine engine) implements AdminContext {
        @Override
        public Catalog catalog() {
            return engine.catalog();
        }

        @Override
        public String stage() {
            return engine.stage();
        }

        @Override
        public Optional<Plan> planOnStage(String name) {
            return engine.planOnStage(name);
        }

        @Override
        public QuotaWindow quotaWindow(String planName) {
            return engine.quotaWindow(planName);
        }

        @Override
        public Clock clock() {
            return engine.clock();
        }

        @Override
        public UsageStore store() {
            return engine.store();
        }

        @Override
        public KeyDirectory keyDirectory() {
            return engine.keyDirectory();
        }

        @Override
        public PlanDirectory planDirectory() {
            return engine.planDirectory();
        }
    }

    /** Configures a {@link UsagePlans} engine. */
    public static final class Builder {
        private final Catalog catalog;
        private String stage;
        private String stageOrigin;
        private Clock clock = Clock.systemUTC();
        private UsageStore store;
        private boolean closeStore;
        private boolean enabled = true;
        private boolean shadow;
        private ResponseSettings responses;
        private final List<PathPattern> excludes = new ArrayList<>();
        private final List<RouteDefinition> routes = new ArrayList<>();
        private final List<UsageListener> listeners = new ArrayList<>();
        private boolean discoverListeners = true;
        private int reportDays = LocalUsageStore.DEFAULT_REPORT_DAYS;

        private Builder(Catalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /** The stage this application serves, e.g. {@code test}; adapters default it to the context path. */
        public Builder stage(String value) {
            this.stage = value;
            return this;
        }

        /** The stage and where it came from ({@code the context path /test}), for start-up errors that name it. */
        public Builder stage(String value, String origin) {
            this.stage = value;
            this.stageOrigin = origin;
            return this;
        }

        /** The time source for throttles and quota periods; tests pass a clock they can move. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where bucket and quota state lives; by default a {@link LocalUsageStore} on this engine's clock. */
        public Builder store(UsageStore value) {
            this.store = value;
            return this;
        }

        /** A store the engine closes when it is closed (one made for it from settings). */
        public Builder ownedStore(UsageStore value) {
            this.store = value;
            this.closeStore = true;
            return this;
        }

        /** A path that is never metered, in addition to the catalog's {@code excludePaths}; see {@link PathPattern}. */
        public Builder excludePath(String pattern) {
            try {
                excludes.add(PathPattern.of(pattern));
            } catch (IllegalArgumentException e) {
                throw new UsagePlansConfigException("excludePaths", e.getMessage());
            }
            return this;
        }

        /** How refusals look; by default the catalog's ({@code responses:} in the plan file), else the gateway's. */
        public Builder responses(ResponseSettings value) {
            this.responses = value;
            return this;
        }

        /** {@code false} starts the engine switched off (see {@link UsagePlans#setEnabled}). */
        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        /** {@code true} starts the engine in shadow (report-only) mode for every plan (see {@link UsagePlans#setShadow}). */
        public Builder shadow(boolean value) {
            this.shadow = value;
            return this;
        }

        /** Routes found by an adapter (annotations); see {@link AnnotatedRoutes}. */
        public Builder routes(List<RouteDefinition> found) {
            routes.addAll(found);
            return this;
        }

        /** A listener for every metered decision; see {@link UsageListener}. */
        public Builder listener(UsageListener value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** Whether listeners listed in {@code META-INF/services/io.usageplans.spi.UsageListener} are added (default true). */
        public Builder discoverListeners(boolean value) {
            this.discoverListeners = value;
            return this;
        }

        /**
         * Days of daily usage per key the default local store keeps for reports (default 90; the setting
         * {@value #REPORT_DAYS}). A store passed to {@link #store} has its own setting.
         */
        public Builder usageReportDays(int days) {
            if (days < 0) {
                throw new UsagePlansConfigException(REPORT_DAYS, "must be 0 or more days, was " + days);
            }
            this.reportDays = days;
            return this;
        }

        public UsagePlans build() {
            if (stage == null || stage.isBlank()) {
                throw new UsagePlansConfigException("stage", "the stage is not set; give it with usageplans.stage "
                        + "(for example 'test'), or deploy the application under a context path named like the stage");
            }
            return new UsagePlans(this);
        }
    }
}
