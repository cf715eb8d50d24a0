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
import io.usageplans.spi.PlanDirectory;
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

    /**
     * The start of what a key resolver hands the engine for a caller identified by the name of its key (an
     * authenticated identity) rather than by the key's value; no real key can start so (it holds a control character).
     */
    public static final String KEY_NAMED = "\0key named ";

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");
    /** How the rejection log starts a line of shadow mode: the request was served, and would have been answered so. */
    private static final String WOULD_REFUSE = "shadow mode, served but would answer ";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 10_000;
    /** The rejection log's reasons: the forbidden reasons at their ordinals, then these. */
    private static final int METHOD_THROTTLE_REASON = ForbiddenReason.values().length;
    private static final int PLAN_THROTTLE_REASON = METHOD_THROTTLE_REASON + 1;
    private static final int QUOTA_REASON = METHOD_THROTTLE_REASON + 2;
    private static final int STAGE_THROTTLE_REASON = METHOD_THROTTLE_REASON + 3;
    /** Only in shadow mode: a plan that fails closed would have answered 503 (enforcing, the outage log says it). */
    private static final int UNAVAILABLE_REASON = METHOD_THROTTLE_REASON + 4;
    /** The shadow-mode lines ("would refuse") of each reason are counted apart, at the reason's index plus this. */
    private static final int SHADOW_REASONS = UNAVAILABLE_REASON + 1;

    /** How an engine is set up: what {@code UsagePlans.Builder} collected. */
    public record Setup(Catalog catalog, String stage, String stageOrigin, Clock clock, UsageStore store, boolean ownsStore,
                        boolean enabled, boolean shadow, ResponseSettings responses, List<PathPattern> excludes, List<RouteDefinition> routes,
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
    private final AlertRaiser alerts;
    private volatile Snapshot snapshot;
    private volatile boolean enabled;
    private volatile boolean shadow;
    private volatile KeyDirectory keyDirectory = new LocalKeyDirectory(this);
    private volatile PlanDirectory planDirectory = new LocalPlanDirectory(this);

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
        this.alerts = new AlertRaiser(store, clock, stage, listeners);
        this.enabled = setup.enabled();
        this.shadow = setup.shadow();
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
        return decide(presentedKey, null, httpMethod, path);
    }

    /**
     * Decides one request; {@code path} is relative to the application. {@code clientAddress} is the caller's identity
     * on keyless methods (an adapter resolves it, proxies and IPv6 prefixes included); null when unknown.
     */
    public Decision decide(String presentedKey, String clientAddress, String httpMethod, String path) {
        Snapshot s = snapshot;
        if (!enabled || excluded(s, path)) {
            return Decision.NOT_METERED;
        }
        RouteTable.Route route = route(s, httpMethod, path);
        if (route == null || route.unmetered()) {
            return Decision.NOT_METERED;
        }
        return observed(meter(s, route, presentedKey, clientAddress, httpMethod, path), httpMethod, path);
    }

    /**
     * Decides a call of the route an adapter registered as {@code routeId}.
     *
     * @throws IllegalArgumentException if no route has that id
     */
    public Decision decideRoute(String presentedKey, String routeId) {
        return decideRoute(presentedKey, null, routeId);
    }

    /**
     * Decides a call of the route an adapter registered as {@code routeId}, by {@code clientAddress} where the route is
     * keyless.
     *
     * @throws IllegalArgumentException if no route has that id
     */
    public Decision decideRoute(String presentedKey, String clientAddress, String routeId) {
        Snapshot s = snapshot;
        RouteTable.Route route = s.routes.byId(routeId);
        if (route == null) {
            throw new IllegalArgumentException("usage-plans: no route " + routeId + " was registered at start-up");
        }
        if (!enabled || route.unmetered()) {
            return Decision.NOT_METERED;
        }
        return observed(meter(s, route, presentedKey, clientAddress, "CALL", route.source()), "CALL", route.source());
    }

    /** Step 1: paths the catalog or an adapter excluded are never metered. */
    private static boolean excluded(Snapshot s, String path) {
        return s.excluded(path);
    }

    /** Step 2: the route table's most specific route for the request, or null. */
    private static RouteTable.Route route(Snapshot s, String httpMethod, String path) {
        return s.routes.match(httpMethod, path);
    }

    /** Steps 3 to 7 for a metered route: the caller's own limits (by key or by client address), then the stage's. */
    private Decision meter(Snapshot s, RouteTable.Route route, String presentedKey, String clientAddress, String httpMethod,
                           String path) {
        if (route.stageOnly()) {
            return stage(route.stage(), null, null, null, null, null, httpMethod, path);
        }
        if (route.keyless() != null) {
            return keyless(route, clientAddress, httpMethod, path);
        }
        boolean named = presentedKey != null && presentedKey.startsWith(KEY_NAMED);
        ForbiddenReason keyProblem = named ? (presentedKey.length() == KEY_NAMED.length() ? ForbiddenReason.MISSING_KEY : null)
                : keyRefusal(presentedKey);
        if (keyProblem != null) {
            return forbidden(keyProblem, null, null, keyProblem == ForbiddenReason.SEVERAL_KEYS ? null : presentedKey,
                    httpMethod, path, null);
        }
        KeyRegistry keys = s.keys;
        int slot = named ? keys.findNamed(presentedKey.substring(KEY_NAMED.length())) : keys.findPresented(presentedKey);
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
            // a plan switched off meters nothing of its own, but the stage's bucket is for every caller
            return refused == Decision.NOT_METERED && route.stage() != null
                    ? stage(route.stage(), key, null, null, null, null, httpMethod, path) : refused;
        }
        MethodRoute methodRoute = route.throttleFor(plan);
        Instant now = clock.instant();
        long nowNanos = epochNanos(now);
        QuotaWindow window = plan.window(now.toEpochMilli());
        MeteringRequest request = new MeteringRequest(keys.stateKey(slot), plan.bucket(),
                methodRoute == null ? null : methodRoute.bucket(), window, nowNanos, route.costFor(plan));
        Consumption c;
        try {
            c = consume(request);
        } catch (UsageStoreUnavailableException e) {
            return storeUnavailable(plan, key, presentedKey, httpMethod, path, e);
        }
        Decision.Limits own = methodRoute == null ? plan : methodRoute;
        Decision decision = decision(key, own, request, c);
        if (!decision.passes()) {
            return refused(decision, shadows(plan), who(presentedKey) + " (" + key.name() + ")", httpMethod, path,
                    c.verdict());
        }
        return route.stage() == null ? decision
                : stage(route.stage(), key, own, request, c, null, httpMethod, path);
    }

    /** Steps 3 to 5 for a keyless method: the caller is its client address, counted under the route's plan. */
    private Decision keyless(RouteTable.Route route, String clientAddress, String httpMethod, String path) {
        CompiledPlan plan = route.keyless();
        if (clientAddress == null || clientAddress.isEmpty()) {
            return forbidden(ForbiddenReason.MISSING_KEY, null, null, null, httpMethod, path,
                    "a keyless method, but the caller's address is not known");
        }
        if (!plan.plan().enabled()) {
            return route.stage() == null ? Decision.NOT_METERED
                    : stage(route.stage(), null, null, null, null, null, httpMethod, path);
        }
        Instant now = clock.instant();
        long nowNanos = epochNanos(now);
        String stateKey = UsageStore.clientStateKey(clientAddress, plan.name());
        MeteringRequest request = new MeteringRequest(stateKey, plan.bucket(), null, plan.window(now.toEpochMilli()), nowNanos,
                route.keylessCost());
        Consumption c;
        try {
            c = consume(request);
        } catch (UsageStoreUnavailableException e) {
            return storeUnavailable(plan, null, "client " + clientAddress, httpMethod, path, e);
        }
        // the client's state key travels with the limits, so that countStatuses give units back to it
        Decision.Limits own = new StagedLimits(plan, null, 0, 0, stateKey);
        Decision decision = decision(null, own, request, c);
        if (!decision.passes()) {
            return refused(decision, shadows(plan), "client " + clientAddress, httpMethod, path, c.verdict());
        }
        return route.stage() == null ? decision
                : stage(route.stage(), null, plan, request, c, stateKey, httpMethod, path);
    }

    /**
     * Step 6: the stage's bucket for all callers of the method, after the caller's own limits (AWS's order). A request
     * the stage refuses gets the units the caller's own limits took back, so a refusal by any level consumes from none.
     * Deciding the caller's limits first keeps the shared bucket free of requests their own limits refuse: a key over
     * its limit never holds a stage token that another caller could have had.
     *
     * @param key        the caller's key, or null (keyless, or a method only the stage throttles)
     * @param own        the caller's own limits, or null when only the stage counts
     * @param ownRequest what the store took for the caller's own limits, or null
     * @param ownUsage   the store's answer for them, or null
     */
    private Decision stage(StageBucket stage, ApiKey key, Decision.Limits own, MeteringRequest ownRequest, Consumption ownUsage,
                           String clientStateKey, String httpMethod, String path) {
        long nowNanos;
        long cost;
        if (ownRequest != null) {
            nowNanos = ownRequest.nowNanos();
            cost = ownRequest.cost();
        } else {
            nowNanos = epochNanos(clock.instant());
            cost = 1;
        }
        MeteringRequest request = stage.request(nowNanos, cost);
        Decision.Limits ownLimits = own instanceof StagedLimits staged ? staged.own : own;
        Consumption c;
        try {
            c = consume(request);
        } catch (UsageStoreUnavailableException e) {
            CompiledPlan plan = compiledPlan(ownLimits);
            if (plan != null && plan.plan().failMode() == FailMode.OPEN) {
                return storeUnavailable(plan, key, "the stage bucket", httpMethod, path, e); // the caller's units stay counted
            }
            giveBack(ownRequest);
            if (plan != null) {
                return storeUnavailable(plan, key, "the stage bucket", httpMethod, path, e);
            }
            outages.failed(false, e, "(stage " + stage.displayKey() + ")", httpMethod, path, null);
            Decision unavailable = Decision.unavailable(null, null, responses);
            return shadow ? refused(unavailable, true, "all callers", httpMethod, path, null) : unavailable;
        }
        StagedLimits limits = new StagedLimits(ownLimits, stage, c.methodTokens(), c.methodNanosToFull(), clientStateKey);
        Decision.Charge charge = ownRequest != null ? ownRequest : request;
        if (c.verdict() == Consumption.Verdict.ALLOWED) {
            return Decision.allowed(key, limits, charge, ownUsage != null ? ownUsage : stageOnly(c), responses);
        }
        giveBack(ownRequest);
        Decision refused = Decision.throttled(Decision.Limit.STAGE_THROTTLE, key, limits, charge,
                afterRefund(ownRequest, ownUsage, c), responses);
        // the stage's bucket is every caller's, not the plan's: only the global shadow mode lets its refusals through
        return refused(refused, shadow, key != null ? "key " + key.name() : clientStateKey != null ? "a keyless client"
                : "all callers", httpMethod, path, null);
    }

    /** Gives back what {@code request} took from the caller's own limits (the stage refused it); null: nothing was taken. */
    private void giveBack(MeteringRequest request) {
        if (request == null) {
            return;
        }
        try {
            store.refund(request, request.planBucket() != null, request.methodBucket() != null, request.quota() != null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: could not give back the units of a request the stage throttle "
                    + "refused: {0}", e.toString());
        }
    }

    /** The stage's answer as the usage of a request only the stage counts: the caller has no limits of its own. */
    private static Consumption stageOnly(Consumption stage) {
        return new Consumption(stage.verdict(), 0, 0, 0, 0, 0, stage.nanosToRetry());
    }

    /** The caller's own numbers once the refusal gave its units back, with the stage's time to retry. */
    private static Consumption afterRefund(MeteringRequest request, Consumption own, Consumption stage) {
        if (request == null || own == null) {
            return stageOnly(stage);
        }
        long cost = request.cost();
        long planTokens = own.planTokens();
        long planNanos = own.planNanosToFull();
        if (request.planBucket() != null) {
            planTokens = Math.min(request.planBucket().capacity(), planTokens + cost);
            planNanos = request.planBucket().nanosToFull(planTokens);
        }
        long methodTokens = own.methodTokens();
        long methodNanos = own.methodNanosToFull();
        if (request.methodBucket() != null) {
            methodTokens = Math.min(request.methodBucket().capacity(), methodTokens + cost);
            methodNanos = request.methodBucket().nanosToFull(methodTokens);
        }
        long quotaUsed = request.quota() == null ? own.quotaUsed() : Math.max(0, own.quotaUsed() - cost);
        return new Consumption(Consumption.Verdict.METHOD_THROTTLED, planTokens, planNanos, methodTokens, methodNanos, quotaUsed,
                stage.nanosToRetry());
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

    /** {@code now} in nanoseconds since the epoch, the time unit of every store request. */
    private static long epochNanos(Instant now) {
        return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
    }

    /** Counts the decision and tells the listeners. */
    private Decision observed(Decision decision, String httpMethod, String path) {
        if (decision.outcome() == Outcome.NOT_METERED) {
            return decision;
        }
        CompiledPlan plan = compiledPlan(decision.limits());
        counters.record(decision, plan == null ? null : plan.outcomeCounters());
        listeners.heard(decision, stage, httpMethod, path);
        if (plan != null) {
            alerts.observe(decision, plan);
        }
        return decision;
    }

    private static CompiledPlan compiledPlan(Decision.Limits limits) {
        if (limits instanceof StagedLimits staged) {
            limits = staged.own;
        }
        return limits instanceof MethodRoute route ? route.plan() : limits instanceof CompiledPlan plan ? plan : null;
    }

    /**
     * Gives back the units of an allowed request whose final status does not count ({@code countStatuses}). The caller
     * makes sure this runs once per decision.
     */
    public void complete(ApiKey key, Decision.Limits limits, QuotaWindow window, long nowNanos, long cost, int status) {
        String clientStateKey = limits instanceof StagedLimits staged ? staged.clientStateKey : null;
        if (limits instanceof StagedLimits staged) {
            limits = staged.own; // the stage's bucket counts every request it let through
        }
        CompiledPlan plan = compiledPlan(limits);
        MethodRoute route = limits instanceof MethodRoute m ? m : null;
        if (plan == null || (key == null && clientStateKey == null) || plan.countsEverything(route)) {
            return;
        }
        boolean planBucket = plan.plan().throttleCountStatuses() != null && !plan.plan().throttleCountStatuses().contains(status);
        boolean methodBucket = route != null && route.countStatuses() != null && !route.countStatuses().contains(status);
        boolean quota = plan.plan().quotaCountStatuses() != null && !plan.plan().quotaCountStatuses().contains(status);
        if (planBucket || methodBucket || quota) {
            // the request the store decided, again: the decision kept its time, quota period and cost, not the request
            MeteringRequest request = new MeteringRequest(key != null ? UsageStore.stateKey(key.name(), plan.name()) : clientStateKey,
                    plan.bucket(),
                    route == null ? null : route.bucket(), window, nowNanos, cost);
            try {
                store.refund(request, planBucket, methodBucket, quota);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: could not give back the units of a request that did not "
                        + "count (status {0}): {1}", status, e.toString());
            }
        }
    }

    /** Shadow (report-only) mode for every plan: refusals pass, logged and counted as "would refuse". */
    public void setShadow(boolean value) {
        if (value != shadow) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: shadow mode switched {0} for stage ''{1}''{2}", value ? "on" : "off",
                    stage, value ? ": requests over a limit are served and only reported" : ": every plan enforces that is "
                            + "not in shadow mode itself");
        }
        this.shadow = value;
    }

    public boolean shadow() {
        return shadow;
    }

    /** Whether a refusal under {@code plan} (null: none known yet) is only reported: shadow mode, global or the plan's. */
    private boolean shadows(CompiledPlan plan) {
        return shadow || (plan != null && plan.plan().shadow());
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

    public List<UsageListener> listeners() {
        return listeners.list();
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

    public PlanDirectory planDirectory() {
        return planDirectory;
    }

    @Override
    public void usePlanDirectory(PlanDirectory directory) {
        this.planDirectory = Objects.requireNonNull(directory, "directory");
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
        if (open) {
            return Decision.failedOpen(key, plan, responses);
        }
        Decision unavailable = Decision.unavailable(key, plan, responses);
        return shadows(plan) ? refused(unavailable, true, key == null ? presented : "key " + key.name(), method, path, null)
                : unavailable;
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
    public synchronized void checkCatalog(Catalog catalog) {
        compiler.compile(catalog, routes);
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

    /** What {@code io.usageplans.UsagePlans#describe} answers, from the route table {@link #meter} uses. */
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
        io.usageplans.Throttle stage = route.stage() == null ? null : route.stage().throttle();
        if (route.stageOnly()) {
            return new io.usageplans.RouteDescription(method, path, false, List.of(), null, stage);
        }
        if (route.keyless() != null) {
            return new io.usageplans.RouteDescription(method, path, false, List.of(), route.keyless().plan(), stage);
        }
        List<io.usageplans.RouteDescription.PlanAccess> access = new ArrayList<>();
        for (CompiledPlan plan : s.plans.values()) {
            if (route.allows(plan)) {
                MethodRoute throttle = route.throttleFor(plan);
                access.add(new io.usageplans.RouteDescription.PlanAccess(plan.name(),
                        throttle == null ? null : throttle.throttle(), route.costFor(plan)));
            }
        }
        return new io.usageplans.RouteDescription(method, path, !access.isEmpty(), access, null, access.isEmpty() ? null : stage);
    }

    /** Whether a route meters callers without a key, by client address: adapters resolve the address only then. */
    public boolean metersClientAddresses() {
        return snapshot.routes.hasKeyless();
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
        alerts.close();
        listeners.closed();
        if (ownsStore) {
            store.close();
        }
    }

    private Decision forbidden(ForbiddenReason reason, ApiKey key, CompiledPlan plan, String presented, String method, String path,
                               String detail) {
        Decision decision = Decision.forbidden(reason, key, plan, responses);
        // a plan in shadow mode lets through what it may not call; a key's own problems need the global shadow mode
        boolean shadowed = shadow || (reason == ForbiddenReason.PLAN_NOT_ALLOWED && plan != null && plan.plan().shadow());
        if (rejectionLog.enabled()) {
            rejectionLog.log(reason.ordinal() + (shadowed ? SHADOW_REASONS : 0), () -> "usage-plans: "
                    + (shadowed ? WOULD_REFUSE : "") + "403 Forbidden for " + method + " " + path + " on stage "
                    + stage + ": " + reason.text() + (detail == null ? "" : " (" + detail + ")")
                    + (presented == null || presented.isEmpty() ? "" : ", " + who(presented))
                    + (key == null ? "" : " (" + key.name() + ")"));
        }
        return shadowed ? Decision.wouldRefuse(decision) : decision;
    }

    /** How logs name the caller of {@code presented}: its key masked, or the identity that names its key. */
    private static String who(String presented) {
        return presented != null && presented.startsWith(KEY_NAMED) ? "identity " + presented.substring(KEY_NAMED.length())
                : "key " + ApiKey.mask(presented);
    }

    /**
     * Logs the refusal {@code d} and answers it, or in shadow mode ({@code shadowed}) logs that it would be refused and
     * answers {@link Decision#wouldRefuse}: the request passes, charged nothing.
     */
    private Decision refused(Decision d, boolean shadowed, String who, String method, String path, Consumption.Verdict verdict) {
        logRejection(d, shadowed, who, method, path, verdict);
        return shadowed ? Decision.wouldRefuse(d) : d;
    }

    /**
     * {@code who}: how the log names the caller, its key masked; {@code verdict} null for the stage's refusal and for a
     * store that could not answer.
     */
    private void logRejection(Decision d, boolean shadowed, String who, String method, String path, Consumption.Verdict verdict) {
        if (rejectionLog.enabled()) {
            boolean unavailable = d.outcome() == Outcome.UNAVAILABLE;
            String limit = unavailable ? "the store could not answer" : verdict == null ? "stage throttle " + d.violatedPolicy() : switch (verdict) {
                case METHOD_THROTTLED -> "method throttle " + d.methodKey();
                case PLAN_THROTTLED -> "plan throttle";
                case QUOTA_EXCEEDED -> "quota";
                case ALLOWED -> "none";
            };
            int reason = unavailable ? UNAVAILABLE_REASON : verdict == null ? STAGE_THROTTLE_REASON : switch (verdict) {
                case METHOD_THROTTLED -> METHOD_THROTTLE_REASON;
                case QUOTA_EXCEEDED -> QUOTA_REASON;
                default -> PLAN_THROTTLE_REASON;
            };
            rejectionLog.log(reason + (shadowed ? SHADOW_REASONS : 0), () -> "usage-plans: " + (shadowed ? WOULD_REFUSE : "")
                    + d.outcome().status() + " " + d.outcome().message()
                    + " for " + method + " " + path + " on stage " + stage + ": " + who
                    + (d.planName() == null ? "" : ", plan " + d.planName()) + ", " + limit + ", retry after "
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
        reasons.add(new RejectionLog.Reason("429 " + Outcome.THROTTLED.message(), "stage throttle"));
        reasons.add(new RejectionLog.Reason("503 " + Outcome.UNAVAILABLE.message(), "the store could not answer"));
        List<RejectionLog.Reason> all = new ArrayList<>(reasons);
        for (RejectionLog.Reason reason : reasons) {
            all.add(new RejectionLog.Reason(WOULD_REFUSE + reason.status(), reason.text()));
        }
        return all;
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
