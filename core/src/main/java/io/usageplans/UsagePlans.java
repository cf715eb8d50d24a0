package io.usageplans;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.config.Setting;
import io.usageplans.internal.CompiledPlan;
import io.usageplans.internal.KeyRegistry;
import io.usageplans.internal.MethodRoute;
import io.usageplans.internal.RejectionLog;
import io.usageplans.internal.RouteTable;
import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.StoreContext;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * The decision engine for one stage of an API: key, then plan, then throttle and quota, in one call to the
 * store. Every adapter (servlet filter, JAX-RS, CDI) calls {@link #decide}. Everything that can be computed
 * from the catalog is computed when it is built or replaced, not per request.
 */
public final class UsagePlans implements AutoCloseable {

    /** The off switch: {@code usageplans.enabled=false} (init-param, system property or USAGEPLANS_ENABLED). */
    public static final String ENABLED = "usageplans.enabled";

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
    public static final String SEVERAL_KEYS = "\0several keys";

    private static final System.Logger LOG = System.getLogger(UsagePlans.class.getName());
    private static final System.Logger REJECTIONS = System.getLogger(REJECTIONS_LOGGER);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long UNAVAILABLE_LOG_INTERVAL_NANOS = 10 * NANOS_PER_SECOND;
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 10_000;
    /** The rejection log's reasons: the forbidden reasons at their ordinals, then these. */
    private static final int METHOD_THROTTLE_REASON = ForbiddenReason.values().length;
    private static final int PLAN_THROTTLE_REASON = METHOD_THROTTLE_REASON + 1;
    private static final int QUOTA_REASON = METHOD_THROTTLE_REASON + 2;

    private final String stage;
    private final String stageOrigin;
    private final Clock clock;
    private final UsageStore store;
    private final boolean ownsStore;
    private final List<PathPattern> extraExcludes;
    private final List<RouteDefinition> routes = new ArrayList<>();
    private volatile Snapshot snapshot;
    private volatile boolean enabled;
    private final ResponseSettings responses;
    private final LongAdder failedOpen = new LongAdder();
    private final LongAdder failedClosed = new LongAdder();
    private final AtomicLong lastUnavailableLog = new AtomicLong(Long.MIN_VALUE);
    private final RejectionLog rejectionLog;
    private final DecisionCounters counters = new DecisionCounters();
    private volatile UsageListener[] listeners;
    private final AtomicLong lastListenerFailureLog = new AtomicLong(System.nanoTime() - UNAVAILABLE_LOG_INTERVAL_NANOS - 1);
    private volatile KeyDirectory keyDirectory = new LocalKeys();

    private UsagePlans(Builder builder) {
        this.stage = builder.stage;
        this.stageOrigin = builder.stageOrigin;
        this.clock = builder.clock;
        this.rejectionLog = new RejectionLog(REJECTIONS, clock, stage, rejectionReasons());
        this.ownsStore = builder.store == null || builder.closeStore;
        this.store = builder.store == null ? LocalUsageStore.create(clock, java.time.Duration.ofMinutes(1), builder.reportDays)
                : builder.store;
        List<UsageListener> found = new ArrayList<>(builder.listeners);
        if (builder.discoverListeners) {
            java.util.Iterator<UsageListener> discovered = java.util.ServiceLoader.load(UsageListener.class,
                    UsagePlans.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!discovered.hasNext()) {
                        break;
                    }
                    found.add(discovered.next());
                } catch (java.util.ServiceConfigurationError | LinkageError e) {
                    // a listener whose own dependencies are missing must not stop the application
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: a listener listed in META-INF/services could not be "
                            + "loaded and is skipped: " + e);
                }
            }
        }
        this.listeners = found.toArray(new UsageListener[0]);
        this.extraExcludes = List.copyOf(builder.excludes);
        this.enabled = builder.enabled;
        this.responses = builder.responses != null ? builder.responses : builder.catalog.responses();
        this.routes.addAll(builder.routes);
        this.snapshot = compile(builder.catalog, routes);
        if (snapshot.plans.isEmpty()) {
            noPlanOnStage(builder.catalog, builder.stageOrigin, enabled);
        }
        store.started(new StoreContext() {
            @Override
            public Catalog catalog() {
                return UsagePlans.this.catalog();
            }

            @Override
            public void replaceCatalog(Catalog catalog) {
                UsagePlans.this.replaceCatalog(catalog);
            }

            @Override
            public void useKeyDirectory(KeyDirectory directory) {
                UsagePlans.this.useKeyDirectory(directory);
            }
        });
    }

    public static Builder builder(Catalog catalog) {
        return new Builder(catalog);
    }

    /**
     * Decides one request. {@code presentedKey} is the raw key the caller sent (may be null or garbage);
     * {@code path} is relative to the application (servlet path plus path info), e.g. {@code /pets/7}.
     */
    public Decision decide(String presentedKey, String httpMethod, String path) {
        Snapshot s = snapshot;
        if (!enabled || !s.metered(path)) {
            return Decision.NOT_METERED;
        }
        RouteTable.Route route = s.routes.match(httpMethod, path);
        if (route == null || route.unmetered()) {
            return Decision.NOT_METERED;
        }
        return observed(meter(s, route, presentedKey, httpMethod, path), httpMethod, path);
    }

    /**
     * Decides a call of the route an adapter registered as {@code routeId} (a CDI interceptor metering a bean
     * method), with the key of the current request or one the caller set.
     *
     * @throws IllegalArgumentException if no route has that id
     */
    public Decision decideRoute(String presentedKey, String routeId) {
        Snapshot s = snapshot;
        RouteTable.Route route = s.routes.byId(routeId);
        if (route == null) {
            throw new IllegalArgumentException("usage-plans: no route " + routeId + " was registered at start-up");
        }
        if (!enabled || route.unmetered()) {
            return Decision.NOT_METERED;
        }
        return observed(meter(s, route, presentedKey, "CALL", route.source()), "CALL", route.source());
    }

    /** Counts the decision and tells the listeners; a failing listener is logged (at most every 10 s) and ignored. */
    private Decision observed(Decision decision, String httpMethod, String path) {
        if (decision.outcome() == Outcome.NOT_METERED) {
            return decision;
        }
        counters.record(decision);
        UsageListener[] current = listeners;
        for (UsageListener listener : current) {
            try {
                listener.onDecision(decision, stage, httpMethod, path);
            } catch (RuntimeException e) {
                long now = System.nanoTime();
                long last = lastListenerFailureLog.get();
                if (now - last > UNAVAILABLE_LOG_INTERVAL_NANOS && lastListenerFailureLog.compareAndSet(last, now)) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: listener " + listener.getClass().getName()
                            + " failed; the decision stands (further failures are not logged for 10 s)", e);
                }
            }
        }
        return decision;
    }

    private Decision meter(Snapshot s, RouteTable.Route route, String presentedKey, String httpMethod, String path) {
        if (SEVERAL_KEYS.equals(presentedKey)) {
            return forbidden(ForbiddenReason.SEVERAL_KEYS, null, null, null, httpMethod, path, null);
        }
        if (presentedKey == null || presentedKey.isEmpty()) {
            return forbidden(ForbiddenReason.MISSING_KEY, null, null, presentedKey, httpMethod, path, null);
        }
        if (ApiKey.problemWithValue(presentedKey) != null) {
            return forbidden(ForbiddenReason.MALFORMED_KEY, null, null, presentedKey, httpMethod, path, null);
        }
        KeyRegistry keys = s.keys;
        int slot = keys.findPresented(presentedKey);
        if (slot == KeyRegistry.NONE) {
            return forbidden(ForbiddenReason.UNKNOWN_KEY, null, null, presentedKey, httpMethod, path, null);
        }
        ApiKey key = keys.key(slot);
        long validUntil = keys.validUntilMillis(slot);
        if (validUntil != Long.MAX_VALUE && clock.millis() >= validUntil) {
            return forbidden(ForbiddenReason.UNKNOWN_KEY, null, null, presentedKey, httpMethod, path,
                    "the previous value of rotated key " + key.name() + ", valid until " + key.previousValidUntil());
        }
        CompiledPlan plan = keys.plan(slot);
        if (!key.enabled()) {
            return forbidden(ForbiddenReason.DISABLED_KEY, key, plan, presentedKey, httpMethod, path, null);
        }
        if (plan == null) {
            return forbidden(ForbiddenReason.NO_PLAN_ON_STAGE, key, null, presentedKey, httpMethod, path, null);
        }
        if (!plan.plan().enabled()) {
            return Decision.NOT_METERED; // metering is switched off for this plan
        }
        if (!route.allows(plan)) {
            return forbidden(ForbiddenReason.PLAN_NOT_ALLOWED, key, plan, presentedKey, httpMethod, path,
                    "plan " + plan.name() + " is not one of " + route.requiredPlans());
        }
        MethodRoute methodRoute = route.throttleFor(plan);
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        long nowNanos = now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
        QuotaWindow window = plan.window(nowMillis);
        Consumption c;
        MeteringRequest request = new MeteringRequest(keys.stateKey(slot), plan.bucket(),
                methodRoute == null ? null : methodRoute.bucket(), window, nowNanos, route.costFor(plan));
        try {
            c = store.tryConsume(request);
        } catch (UsageStoreUnavailableException e) {
            return storeUnavailable(plan, key, presentedKey, httpMethod, path, e);
        }
        Decision decision = switch (c.verdict()) {
            case ALLOWED -> new Decision(Outcome.ALLOWED, null, key, plan, methodRoute, c, window, nowMillis, 0, responses);
            case METHOD_THROTTLED, PLAN_THROTTLED -> new Decision(Outcome.THROTTLED, null, key, plan, methodRoute, c,
                    window, nowMillis, Math.max(1, (c.nanosToRetry() + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND), responses);
            case QUOTA_EXCEEDED -> new Decision(Outcome.QUOTA_EXCEEDED, null, key, plan, methodRoute, c, window,
                    nowMillis, window.secondsUntilEnd(nowMillis), responses);
        };
        if (!decision.passes()) {
            logRejection(decision, presentedKey, httpMethod, path, c.verdict());
            return decision;
        }
        return plan.countsEverything(methodRoute) ? decision : decision.withRequest(request);
    }

    /**
     * Tells the engine the final status of an allowed request, once the application answered. Limits that count
     * only some statuses ({@code countStatuses}) get this request's units back if its status is not among them,
     * exactly once however often this is called. Cheap and safe for any decision.
     */
    public void complete(Decision decision, int status) {
        MeteringRequest request = decision.request();
        if (request == null || !decision.markCompleted()) {
            return;
        }
        CompiledPlan plan = decision.compiledPlan();
        MethodRoute route = decision.methodRoute();
        boolean planBucket = plan.plan().throttleCountStatuses() != null && !plan.plan().throttleCountStatuses().contains(status);
        boolean methodBucket = route != null && route.countStatuses() != null && !route.countStatuses().contains(status);
        boolean quota = plan.plan().quotaCountStatuses() != null && !plan.plan().quotaCountStatuses().contains(status);
        if (planBucket || methodBucket || quota) {
            try {
                store.refund(request, planBucket, methodBucket, quota);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: could not give back the units of a request that did not "
                        + "count (status {0}): {1}", status, e.toString());
            }
        }
    }

    /**
     * The off switch: while disabled every request passes unmetered and no RateLimit fields are written; the
     * catalog and the annotations stay compiled and validated. Takes effect at once.
     */
    public void setEnabled(boolean value) {
        if (value != enabled) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: metering switched {0} for stage ''{1}''", value ? "on" : "OFF", stage);
        }
        this.enabled = value;
    }

    public boolean enabled() {
        return enabled;
    }

    /** What this engine decided since start, by plan, key and reason. */
    public DecisionCounters counters() {
        return counters;
    }

    /** Adds a listener that hears every metered decision from now on. */
    public synchronized void addListener(UsageListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<UsageListener> all = new ArrayList<>(List.of(listeners));
        all.add(listener);
        listeners = all.toArray(new UsageListener[0]);
    }

    /** Removes a listener added before; returns whether it was there. */
    public synchronized boolean removeListener(UsageListener listener) {
        List<UsageListener> all = new ArrayList<>(List.of(listeners));
        boolean removed = all.remove(listener);
        listeners = all.toArray(new UsageListener[0]);
        return removed;
    }

    /** Where keys are added, changed and removed at run time: this JVM's catalog, or the cluster's shared keys. */
    public KeyDirectory keyDirectory() {
        return keyDirectory;
    }

    /** Replaces the key directory: a clustered store installs one shared by all members (see {@link UsageStore#started}). */
    public void useKeyDirectory(KeyDirectory directory) {
        this.keyDirectory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * The days of daily usage to keep, from the setting {@value #REPORT_DAYS} (init-param, system property or
     * USAGEPLANS_REPORT_DAYS), 90 when it is not set.
     *
     * @throws UsagePlansConfigException if it is not a whole number of 0 or more
     */
    public static int reportDays(UnaryOperator<String> adapterParameter) {
        Optional<Setting> setting = Setting.find(REPORT_DAYS, adapterParameter);
        if (setting.isEmpty()) {
            return LocalUsageStore.DEFAULT_REPORT_DAYS;
        }
        try {
            int days = Integer.parseInt(setting.get().value());
            if (days >= 0) {
                return days;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsagePlansConfigException(setting.get().origin(), "must be a whole number of days, 0 or more, was '"
                + setting.get().value() + "'");
    }

    /** The plan named {@code name} as this engine compiled it, if it applies to this engine's stage. */
    public Optional<Plan> planOnStage(String name) {
        CompiledPlan plan = snapshot.plans.get(name);
        return plan == null ? Optional.empty() : Optional.of(plan.plan());
    }

    /** The current quota period of plan {@code name} on this engine's clock, or null if it has no quota. */
    public QuotaWindow quotaWindow(String planName) {
        CompiledPlan plan = snapshot.plans.get(planName);
        return plan == null ? null : plan.window(clock.millis());
    }

    /** How this engine's refusals look. */
    public ResponseSettings responses() {
        return responses;
    }

    /** The plan's {@link FailMode} decides: let the request through unmetered, or answer 503. */
    private Decision storeUnavailable(CompiledPlan plan, ApiKey key, String presented, String method, String path,
                                      UsageStoreUnavailableException e) {
        boolean open = plan.plan().failMode() == FailMode.OPEN;
        (open ? failedOpen : failedClosed).increment();
        long now = clock.millis();
        long last = lastUnavailableLog.get();
        if ((last == Long.MIN_VALUE || now < last || now - last >= UNAVAILABLE_LOG_INTERVAL_MILLIS)
                && lastUnavailableLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: the store could not answer ({0}); plan {1} fails {2}: {3} {4} "
                    + "for key {5} (further such lines are suppressed for 10 s; counts: {6} open, {7} closed)",
                    e.getMessage(), plan.name(), open ? "open" : "closed", method, path, ApiKey.mask(presented),
                    failedOpen.sum(), failedClosed.sum());
        }
        return open ? new Decision(Outcome.ALLOWED, null, key, plan, null, null, null, 0, 0, responses)
                : new Decision(Outcome.UNAVAILABLE, null, key, plan, null, null, null, 0, 1, responses);
    }

    /** Requests let through unmetered because the store could not answer and their plan fails open. */
    public long failedOpenCount() {
        return failedOpen.sum();
    }

    /** Requests answered 503 because the store could not answer and their plan fails closed. */
    public long failedClosedCount() {
        return failedClosed.sum();
    }

    /**
     * Adds routes found by an adapter (annotated servlets, JAX-RS resources, CDI beans) and recompiles the route
     * table. Fails, leaving the engine unchanged, when a route names an unknown plan or clashes with another.
     */
    public synchronized void addRoutes(List<RouteDefinition> found) {
        List<RouteDefinition> all = new ArrayList<>(routes);
        for (RouteDefinition route : found) {
            if (all.stream().noneMatch(r -> r.id().equals(route.id()))) {
                all.add(route);
            }
        }
        Snapshot compiled = compile(snapshot.catalog, all);
        routes.clear();
        routes.addAll(all);
        snapshot = compiled;
    }

    /**
     * Whether {@code path} (relative to the application) is never metered: the catalog's {@code excludePaths} or one
     * an adapter or module excluded. Adapters mark such a request as not counted, so no layer inside meters it.
     */
    public boolean excluded(String path) {
        return !snapshot.metered(path);
    }

    /** The paths and methods of the routes adapters registered (annotated servlets and JAX-RS methods). */
    public synchronized List<MethodKey> annotatedRouteKeys() {
        List<MethodKey> keys = new ArrayList<>();
        for (RouteDefinition route : routes) {
            if (route.methodKey() != null) {
                keys.add(route.methodKey());
            }
        }
        return keys;
    }

    /** The names of the plans that apply to this engine's stage, in catalog order. */
    public List<String> stagePlans() {
        return List.copyOf(snapshot.plans.keySet());
    }

    /** The route an adapter registered under {@code routeId}, to check at start-up that it exists. */
    public boolean hasRoute(String routeId) {
        return snapshot.routes.byId(routeId) != null;
    }

    /**
     * Replaces plans and keys without a restart; requests already being decided finish on the old catalog.
     * State in the store is kept: a key keeps its buckets and quota count on the same plan.
     */
    public synchronized void replaceCatalog(Catalog catalog) {
        Snapshot compiled = compile(catalog, routes);
        if (compiled.plans.isEmpty() && !snapshot.plans.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: the new catalog has no plan for stage ''{0}''; every metered "
                    + "request is refused with 403 until one does", stage);
        }
        this.snapshot = compiled;
    }

    public Catalog catalog() {
        return snapshot.catalog;
    }

    /** The stage this engine meters, e.g. {@code test}. */
    public String stage() {
        return stage;
    }

    /** Where the stage came from ({@code the context path /test}), or null when code set it. */
    public String stageOrigin() {
        return stageOrigin;
    }

    public Clock clock() {
        return clock;
    }

    public UsageStore store() {
        return store;
    }

    /** Whether any plan applies to this stage, i.e. any request can be metered at all. */
    public boolean metersAnything() {
        return !snapshot.plans.isEmpty();
    }

    /** Whether annotated routes decide what is metered (else every request of the stage is), and how many routes there are. */
    public String meteringMode() {
        RouteTable table = snapshot.routes;
        return table.annotated() ? "annotated routes only (" + table.size() + " routes)"
                : "every request of the stage" + (table.size() == 0 ? "" : " (" + table.size() + " method throttles)");
    }

    /** Writes the count of rejections not yet logged, and closes the store if this engine created it. */
    @Override
    public void close() {
        rejectionLog.flush();
        if (ownsStore) {
            store.close();
        }
    }

    private Snapshot compile(Catalog catalog, List<RouteDefinition> definitions) {
        AnnotatedRoutes.checkPlansExist(definitions, catalog);
        Map<String, CompiledPlan> plans = new LinkedHashMap<>();
        List<CompiledPlan> indexed = new ArrayList<>();
        Map<CompiledPlan, Map<MethodKey, MethodSettings>> planFileThrottles = new LinkedHashMap<>();
        for (Plan plan : catalog.plans()) {
            plan.stage(stage).ifPresent(apiStage -> {
                CompiledPlan compiled = new CompiledPlan(plan, indexed.size(), counters.plan(plan.name()));
                indexed.add(compiled);
                plans.put(plan.name(), compiled);
                planFileThrottles.put(compiled, apiStage.methods());
            });
        }
        for (RouteDefinition d : definitions) {
            for (String name : d.plans()) {
                if (!plans.isEmpty() && !plans.containsKey(name)) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: {0} requires plan {1}, which does not apply to stage ''{2}'' "
                            + "(plans on this stage: {3}); calls through that plan are refused with 403", d.source(), name, stage,
                            plans.keySet());
                }
            }
        }
        List<PathPattern> excludes = new ArrayList<>(extraExcludes);
        catalog.excludePaths().forEach(p -> excludes.add(PathPattern.of(p)));
        RouteTable table = new RouteTable(indexed, planFileThrottles, definitions, catalog, stage);
        return new Snapshot(catalog, plans, new KeyRegistry(catalog, stage, plans), excludes.toArray(new PathPattern[0]), table);
    }

    /**
     * No plan names this engine's stage, so every metered request would be refused with 403: a deployment under the
     * wrong context path, or a stage spelled differently. Fails start-up while metering is on; the off switch is the one
     * deliberate way to run without plans.
     */
    private void noPlanOnStage(Catalog catalog, String origin, boolean on) {
        Set<String> stages = new LinkedHashSet<>();
        catalog.plans().forEach(plan -> plan.apiStages().forEach(s -> stages.add(s.stage())));
        String problem = "no plan of API " + catalog.api() + " applies to stage '" + stage + "'"
                + (origin == null ? "" : " (" + origin + ")") + "; the plans name " + (stages.isEmpty() ? "no stage"
                : (stages.size() == 1 ? "stage " : "stages ") + String.join(", ", stages)) + ". Set usageplans.stage"
                + (stages.size() == 1 ? "=" + stages.iterator().next() : "") + " (context-param, init-param, system property "
                + "or USAGEPLANS_STAGE), or add stage '" + stage + "' to a plan's apiStages";
        if (on) {
            throw new UsagePlansConfigException(catalog.source(), "stage", 0, problem + ". Annotated endpoints and the plan "
                    + "file's methods would otherwise answer 403 to every key; usageplans.enabled=false switches metering off "
                    + "deliberately");
        }
        LOG.log(System.Logger.Level.WARNING, "usage-plans: " + problem + "; metering is switched off, and while it is, "
                + "nothing is refused");
    }

    private Decision forbidden(ForbiddenReason reason, ApiKey key, CompiledPlan plan, String presented, String method, String path,
                               String detail) {
        Decision decision = Decision.forbidden(reason, key, plan, responses);
        if (rejectionLog.enabled()) {
            rejectionLog.log(reason.ordinal(), () -> "usage-plans: 403 Forbidden for " + method + " " + path + " on stage "
                    + stage + ": " + reason.text() + (detail == null ? "" : " (" + detail + ")")
                    + (presented == null || presented.isEmpty() ? "" : ", key " + ApiKey.mask(presented))
                    + (key == null ? "" : " (" + key.name() + ")"));
        }
        return decision;
    }

    private void logRejection(Decision d, String presented, String method, String path, Consumption.Verdict verdict) {
        if (rejectionLog.enabled()) {
            String limit = switch (verdict) {
                case METHOD_THROTTLED -> "method throttle " + d.methodKey();
                case PLAN_THROTTLED -> "plan throttle";
                case QUOTA_EXCEEDED -> "quota";
                case ALLOWED -> "none";
            };
            int reason = switch (verdict) {
                case METHOD_THROTTLED -> METHOD_THROTTLE_REASON;
                case QUOTA_EXCEEDED -> QUOTA_REASON;
                default -> PLAN_THROTTLE_REASON;
            };
            rejectionLog.log(reason, () -> "usage-plans: " + d.outcome().status() + " " + d.outcome().message()
                    + " for " + method + " " + path + " on stage " + stage + ": key " + ApiKey.mask(presented)
                    + " (" + d.apiKey().name() + "), plan " + d.planName() + ", " + limit + ", retry after "
                    + d.retryAfterSeconds() + " s");
        }
    }

    /** How the rejection log names each reason in its summaries, at the indexes {@link #forbidden}/{@link #logRejection} use. */
    private static List<RejectionLog.Reason> rejectionReasons() {
        List<RejectionLog.Reason> reasons = new ArrayList<>();
        for (ForbiddenReason reason : ForbiddenReason.values()) {
            reasons.add(new RejectionLog.Reason("403 " + Outcome.FORBIDDEN.message(), reason.text()));
        }
        reasons.add(new RejectionLog.Reason("429 " + Outcome.THROTTLED.message(), "method throttle"));
        reasons.add(new RejectionLog.Reason("429 " + Outcome.THROTTLED.message(), "plan throttle"));
        reasons.add(new RejectionLog.Reason("429 " + Outcome.QUOTA_EXCEEDED.message(), "quota"));
        return reasons;
    }

    /** Keys changed in this JVM only: every change recompiles the catalog, validated as a whole. */
    private final class LocalKeys implements KeyDirectory {

        @Override
        public List<ApiKey> keys() {
            return snapshot.catalog.apiKeys();
        }

        @Override
        public void add(List<ApiKey> keys) {
            synchronized (UsagePlans.this) {
                List<ApiKey> all = new ArrayList<>(snapshot.catalog.apiKeys());
                all.addAll(keys);
                replaceCatalog(snapshot.catalog.withApiKeys(all));
            }
        }

        @Override
        public ApiKey update(String name, UnaryOperator<ApiKey> change) {
            synchronized (UsagePlans.this) {
                List<ApiKey> all = new ArrayList<>(snapshot.catalog.apiKeys());
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).name().equals(name)) {
                        ApiKey changed = change.apply(all.get(i));
                        if (!changed.name().equals(name)) {
                            throw new IllegalArgumentException("a key's name cannot change: " + name + " -> " + changed.name());
                        }
                        all.set(i, changed);
                        replaceCatalog(snapshot.catalog.withApiKeys(all));
                        return changed;
                    }
                }
                throw new NoSuchElementException("no key named '" + name + "'");
            }
        }

        @Override
        public void remove(String name) {
            synchronized (UsagePlans.this) {
                List<ApiKey> all = new ArrayList<>(snapshot.catalog.apiKeys());
                if (!all.removeIf(k -> k.name().equals(name))) {
                    throw new NoSuchElementException("no key named '" + name + "'");
                }
                replaceCatalog(snapshot.catalog.withApiKeys(all));
            }
        }
    }

    private static final class Snapshot {
        final Catalog catalog;
        final Map<String, CompiledPlan> plans;
        final KeyRegistry keys;
        final PathPattern[] excludes;
        final RouteTable routes;

        Snapshot(Catalog catalog, Map<String, CompiledPlan> plans, KeyRegistry keys, PathPattern[] excludes, RouteTable routes) {
            this.catalog = catalog;
            this.plans = plans;
            this.keys = keys;
            this.excludes = excludes;
            this.routes = routes;
        }

        boolean metered(String path) {
            for (PathPattern exclude : excludes) {
                if (exclude.matches(path)) {
                    return false;
                }
            }
            return true;
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
