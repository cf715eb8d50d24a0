package io.usageplans.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.DecisionCounters;
import io.usageplans.FailMode;
import io.usageplans.MethodKey;
import io.usageplans.PathPattern;
import io.usageplans.Plan;
import io.usageplans.QuotaWindow;
import io.usageplans.ResponseSettings;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.StoreContext;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;

/**
 * The decision pipeline behind {@code io.usageplans.UsagePlans}, one method per step: {@link #excluded} path →
 * {@link #route} → {@link #keyRefusal key} → {@link #planRefusal plan} → {@link #consume store} → {@link #decision}.
 * Everything that can be computed from the catalog is in the {@link Snapshot}, compiled when it is built or replaced.
 */
public final class MeteringEngine implements StoreContext, io.usageplans.spi.ListenerContext {

    /**
     * What a key resolver hands the engine for a request that carries more than one distinct key; no real key can
     * equal it (it holds a control character).
     */
    public static final String SEVERAL_KEYS = "\0several keys";

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 10_000;
    /** The rejection log's reasons: the forbidden reasons at their ordinals, then these. */
    private static final int METHOD_THROTTLE_REASON = ForbiddenReason.values().length;
    private static final int PLAN_THROTTLE_REASON = METHOD_THROTTLE_REASON + 1;
    private static final int QUOTA_REASON = METHOD_THROTTLE_REASON + 2;

    /** How an engine is set up: what {@code UsagePlans.Builder} collected. */
    public record Setup(Catalog catalog, String stage, String stageOrigin, Clock clock, UsageStore store, boolean ownsStore,
                        boolean enabled, ResponseSettings responses, List<PathPattern> excludes, List<RouteDefinition> routes,
                        List<UsageListener> listeners, boolean discoverListeners, System.Logger rejections,
                        DecisionCounters counters) {
    }

    private final String stage;
    private final String stageOrigin;
    private final Clock clock;
    private final UsageStore store;
    private final boolean ownsStore;
    private final ResponseSettings responses;
    private final SnapshotCompiler compiler;
    private final List<RouteDefinition> routes = new ArrayList<>();
    private final RejectionLog rejectionLog;
    private final DecisionCounters counters;
    private final ListenerRegistry listeners;
    private final StoreOutages outages;
    private volatile Snapshot snapshot;
    private volatile boolean enabled;
    private volatile KeyDirectory keyDirectory = new LocalKeyDirectory(this);

    public MeteringEngine(Setup setup) {
        this.stage = setup.stage();
        this.stageOrigin = setup.stageOrigin();
        this.clock = setup.clock();
        this.store = setup.store();
        this.ownsStore = setup.ownsStore();
        this.counters = setup.counters();
        this.rejectionLog = new RejectionLog(setup.rejections(), clock, stage, rejectionReasons());
        this.listeners = new ListenerRegistry(setup.listeners(), setup.discoverListeners());
        this.outages = new StoreOutages(clock);
        this.enabled = setup.enabled();
        this.responses = setup.responses() != null ? setup.responses() : setup.catalog().responses();
        this.compiler = new SnapshotCompiler(stage, setup.excludes(), counters);
        this.routes.addAll(setup.routes());
        this.snapshot = compiler.compile(setup.catalog(), routes);
        if (snapshot.plans.isEmpty()) {
            compiler.noPlanOnStage(setup.catalog(), stageOrigin, enabled);
        }
        store.started(this);
        listeners.started(this);
    }

    /** Decides one request; {@code path} is relative to the application. */
    public Decision decide(String presentedKey, String httpMethod, String path) {
        Snapshot s = snapshot;
        if (!enabled || excluded(s, path)) {
            return Decision.NOT_METERED;
        }
        RouteTable.Route route = route(s, httpMethod, path);
        if (route == null || route.unmetered()) {
            return Decision.NOT_METERED;
        }
        return observed(meter(s, route, presentedKey, httpMethod, path), httpMethod, path);
    }

    /**
     * Decides a call of the route an adapter registered as {@code routeId}.
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

    /** Step 1: paths the catalog or an adapter excluded are never metered. */
    private static boolean excluded(Snapshot s, String path) {
        return s.excluded(path);
    }

    /** Step 2: the route table's most specific route for the request, or null. */
    private static RouteTable.Route route(Snapshot s, String httpMethod, String path) {
        return s.routes.match(httpMethod, path);
    }

    /** Steps 3 to 6 for a metered route. */
    private Decision meter(Snapshot s, RouteTable.Route route, String presentedKey, String httpMethod, String path) {
        ForbiddenReason keyProblem = keyRefusal(presentedKey);
        if (keyProblem != null) {
            return forbidden(keyProblem, null, null, keyProblem == ForbiddenReason.SEVERAL_KEYS ? null : presentedKey,
                    httpMethod, path, null);
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
        Decision refused = planRefusal(key, plan, route, presentedKey, httpMethod, path);
        if (refused != null) {
            return refused;
        }
        MethodRoute methodRoute = route.throttleFor(plan);
        Instant now = clock.instant();
        long nowNanos = now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
        QuotaWindow window = plan.window(now.toEpochMilli());
        MeteringRequest request = new MeteringRequest(keys.stateKey(slot), plan.bucket(),
                methodRoute == null ? null : methodRoute.bucket(), window, nowNanos, route.costFor(plan));
        Consumption c;
        try {
            c = consume(request);
        } catch (UsageStoreUnavailableException e) {
            return storeUnavailable(plan, key, presentedKey, httpMethod, path, e);
        }
        Decision decision = decision(key, methodRoute == null ? plan : methodRoute, request, c);
        if (!decision.passes()) {
            logRejection(decision, presentedKey, httpMethod, path, c.verdict());
        }
        return decision;
    }

    /** Step 3: a request without exactly one well-formed key is refused before any lookup. */
    private static ForbiddenReason keyRefusal(String presentedKey) {
        if (SEVERAL_KEYS.equals(presentedKey)) {
            return ForbiddenReason.SEVERAL_KEYS;
        }
        if (presentedKey == null || presentedKey.isEmpty()) {
            return ForbiddenReason.MISSING_KEY;
        }
        return ApiKey.problemWithValue(presentedKey) != null ? ForbiddenReason.MALFORMED_KEY : null;
    }

    /**
     * Step 4: the key's plan on this stage must exist, be switched on (else the request is not metered) and be one the
     * route allows; null when it may go to the store.
     */
    private Decision planRefusal(ApiKey key, CompiledPlan plan, RouteTable.Route route, String presented, String httpMethod,
                                 String path) {
        if (!key.enabled()) {
            return forbidden(ForbiddenReason.DISABLED_KEY, key, plan, presented, httpMethod, path, null);
        }
        if (plan == null) {
            return forbidden(ForbiddenReason.NO_PLAN_ON_STAGE, key, null, presented, httpMethod, path, null);
        }
        if (!plan.plan().enabled()) {
            return Decision.NOT_METERED; // metering is switched off for this plan
        }
        if (!route.allows(plan)) {
            return forbidden(ForbiddenReason.PLAN_NOT_ALLOWED, key, plan, presented, httpMethod, path,
                    "plan " + plan.name() + " is not one of " + route.requiredPlans());
        }
        return null;
    }

    /** Step 5: one call into the store checks and consumes every limit. */
    private Consumption consume(MeteringRequest request) {
        return store.tryConsume(request);
    }

    /** Step 6: the store's answer as the decision adapters write the response from. */
    private Decision decision(ApiKey key, Decision.Limits limits, MeteringRequest request, Consumption c) {
        return switch (c.verdict()) {
            case ALLOWED -> Decision.allowed(key, limits, request, c, responses);
            case METHOD_THROTTLED -> Decision.throttled(Decision.Limit.METHOD_THROTTLE, key, limits, request, c, responses);
            case PLAN_THROTTLED -> Decision.throttled(Decision.Limit.PLAN_THROTTLE, key, limits, request, c, responses);
            case QUOTA_EXCEEDED -> Decision.quotaExceeded(key, limits, request, c, responses);
        };
    }

    /** Counts the decision and tells the listeners. */
    private Decision observed(Decision decision, String httpMethod, String path) {
        if (decision.outcome() == Outcome.NOT_METERED) {
            return decision;
        }
        CompiledPlan plan = compiledPlan(decision.limits());
        counters.record(decision, plan == null ? null : plan.outcomeCounters());
        listeners.heard(decision, stage, httpMethod, path);
        return decision;
    }

    private static CompiledPlan compiledPlan(Decision.Limits limits) {
        return limits instanceof MethodRoute route ? route.plan() : limits instanceof CompiledPlan plan ? plan : null;
    }

    /**
     * Gives back the units of an allowed request whose final status does not count ({@code countStatuses}). The caller
     * makes sure this runs once per decision.
     */
    public void complete(ApiKey key, Decision.Limits limits, QuotaWindow window, long nowNanos, long cost, int status) {
        CompiledPlan plan = compiledPlan(limits);
        MethodRoute route = limits instanceof MethodRoute m ? m : null;
        if (plan == null || key == null || plan.countsEverything(route)) {
            return;
        }
        boolean planBucket = plan.plan().throttleCountStatuses() != null && !plan.plan().throttleCountStatuses().contains(status);
        boolean methodBucket = route != null && route.countStatuses() != null && !route.countStatuses().contains(status);
        boolean quota = plan.plan().quotaCountStatuses() != null && !plan.plan().quotaCountStatuses().contains(status);
        if (planBucket || methodBucket || quota) {
            // the request the store decided, again: the decision kept its time, quota period and cost, not the request
            MeteringRequest request = new MeteringRequest(UsageStore.stateKey(key.name(), plan.name()), plan.bucket(),
                    route == null ? null : route.bucket(), window, nowNanos, cost);
            try {
                store.refund(request, planBucket, methodBucket, quota);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: could not give back the units of a request that did not "
                        + "count (status {0}): {1}", status, e.toString());
            }
        }
    }

    public void setEnabled(boolean value) {
        if (value != enabled) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: metering switched {0} for stage ''{1}''", value ? "on" : "OFF", stage);
        }
        this.enabled = value;
    }

    public boolean enabled() {
        return enabled;
    }

    public void addListener(UsageListener listener) {
        listeners.add(listener);
        ListenerRegistry.started(listener, this);
    }

    public boolean removeListener(UsageListener listener) {
        boolean removed = listeners.remove(listener);
        if (removed) {
            ListenerRegistry.closed(listener);
        }
        return removed;
    }

    public KeyDirectory keyDirectory() {
        return keyDirectory;
    }

    @Override
    public void useKeyDirectory(KeyDirectory directory) {
        this.keyDirectory = Objects.requireNonNull(directory, "directory");
    }

    public Optional<Plan> planOnStage(String name) {
        CompiledPlan plan = snapshot.plans.get(name);
        return plan == null ? Optional.empty() : Optional.of(plan.plan());
    }

    public QuotaWindow quotaWindow(String planName) {
        CompiledPlan plan = snapshot.plans.get(planName);
        return plan == null ? null : plan.window(clock.millis());
    }

    public ResponseSettings responses() {
        return responses;
    }

    /** The plan's {@link FailMode} decides: let the request through unmetered, or answer 503. */
    private Decision storeUnavailable(CompiledPlan plan, ApiKey key, String presented, String method, String path,
                                      UsageStoreUnavailableException e) {
        boolean open = plan.plan().failMode() == FailMode.OPEN;
        outages.failed(open, e, plan.name(), method, path, presented);
        return open ? Decision.failedOpen(key, plan, responses) : Decision.unavailable(key, plan, responses);
    }

    public long failedOpenCount() {
        return outages.failedOpen();
    }

    public long failedClosedCount() {
        return outages.failedClosed();
    }

    public synchronized void addRoutes(List<RouteDefinition> found) {
        List<RouteDefinition> all = new ArrayList<>(routes);
        for (RouteDefinition route : found) {
            if (all.stream().noneMatch(r -> r.id().equals(route.id()))) {
                all.add(route);
            }
        }
        Snapshot compiled = compiler.compile(snapshot.catalog, all);
        routes.clear();
        routes.addAll(all);
        snapshot = compiled;
    }

    public boolean excluded(String path) {
        return snapshot.excluded(path);
    }

    public synchronized List<MethodKey> annotatedRouteKeys() {
        List<MethodKey> keys = new ArrayList<>();
        for (RouteDefinition route : routes) {
            if (route.methodKey() != null) {
                keys.add(route.methodKey());
            }
        }
        return keys;
    }

    public List<String> stagePlans() {
        return List.copyOf(snapshot.plans.keySet());
    }

    public boolean hasRoute(String routeId) {
        return snapshot.routes.byId(routeId) != null;
    }

    @Override
    public synchronized void replaceCatalog(Catalog catalog) {
        Snapshot compiled = compiler.compile(catalog, routes);
        if (compiled.plans.isEmpty() && !snapshot.plans.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: the new catalog has no plan for stage ''{0}''; every metered "
                    + "request is refused with 403 until one does", stage);
        }
        this.snapshot = compiled;
    }

    @Override
    public Catalog catalog() {
        return snapshot.catalog;
    }

    public String stage() {
        return stage;
    }

    public String stageOrigin() {
        return stageOrigin;
    }

    public Clock clock() {
        return clock;
    }

    public UsageStore store() {
        return store;
    }

    /** What {@code io.usageplans.UsagePlans#describe} answers. */
    public io.usageplans.RouteDescription describe(String httpMethod, String path) {
        Snapshot s = snapshot;
        String method = httpMethod.toUpperCase(java.util.Locale.ROOT);
        if (!enabled || s.excluded(path)) {
            return io.usageplans.RouteDescription.unmetered(method, path);
        }
        RouteTable.Route route = s.routes.describe(method, path);
        if (route == null || route.unmetered()) {
            return io.usageplans.RouteDescription.unmetered(method, path);
        }
        List<io.usageplans.RouteDescription.PlanAccess> access = new ArrayList<>();
        for (CompiledPlan plan : s.plans.values()) {
            if (route.allows(plan)) {
                MethodRoute throttle = route.throttleFor(plan);
                access.add(new io.usageplans.RouteDescription.PlanAccess(plan.name(),
                        throttle == null ? null : throttle.throttle(), route.costFor(plan)));
            }
        }
        return access.isEmpty() ? io.usageplans.RouteDescription.unmetered(method, path)
                : new io.usageplans.RouteDescription(method, path, true, access);
    }

    public boolean metersAnything() {
        return !snapshot.plans.isEmpty();
    }

    public String meteringMode() {
        RouteTable table = snapshot.routes;
        return table.annotated() ? "annotated routes only (" + table.size() + " routes)"
                : "every request of the stage" + (table.size() == 0 ? "" : " (" + table.size() + " method throttles)");
    }

    /** Writes the count of rejections not yet logged, and closes the store if this engine created it. */
    public void close() {
        rejectionLog.flush();
        listeners.closed();
        if (ownsStore) {
            store.close();
        }
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

    /** Counts the requests decided without the store, and logs its outages at most every 10 s. */
    private static final class StoreOutages {
        private final java.util.concurrent.atomic.LongAdder failedOpen = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder failedClosed = new java.util.concurrent.atomic.LongAdder();
        private final RateLimitedLog log;

        StoreOutages(Clock clock) {
            this.log = new RateLimitedLog(clock::millis, UNAVAILABLE_LOG_INTERVAL_MILLIS);
        }

        void failed(boolean open, UsageStoreUnavailableException e, String plan, String method, String path, String presented) {
            (open ? failedOpen : failedClosed).increment();
            if (log.due()) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: the store could not answer ({0}); plan {1} fails {2}: {3} {4} "
                        + "for key {5} (further such lines are suppressed for 10 s; counts: {6} open, {7} closed)",
                        e.getMessage(), plan, open ? "open" : "closed", method, path, ApiKey.mask(presented),
                        failedOpen.sum(), failedClosed.sum());
            }
        }

        long failedOpen() {
            return failedOpen.sum();
        }

        long failedClosed() {
            return failedClosed.sum();
        }
    }
}
