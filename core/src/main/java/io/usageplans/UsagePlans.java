package io.usageplans;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.internal.CompiledPlan;
import io.usageplans.internal.KeyRegistry;
import io.usageplans.internal.MethodRoute;
import io.usageplans.local.LocalUsageStore;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;

/**
 * The decision engine for one stage of an API: key, then plan, then throttle and quota, in one call to the
 * store. Every adapter (servlet filter, JAX-RS, CDI) calls {@link #decide}. Everything that can be computed
 * from the catalog is computed when it is built or replaced, not per request.
 */
public final class UsagePlans implements AutoCloseable {

    /** Logger of one line per rejected request (key masked); set it to WARNING to silence them. */
    public static final String REJECTIONS_LOGGER = "io.usageplans.rejections";

    private static final System.Logger LOG = System.getLogger(UsagePlans.class.getName());
    private static final System.Logger REJECTIONS = System.getLogger(REJECTIONS_LOGGER);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String stage;
    private final Clock clock;
    private final UsageStore store;
    private final boolean ownsStore;
    private final List<PathPattern> extraExcludes;
    private volatile Snapshot snapshot;

    private UsagePlans(Builder builder) {
        this.stage = builder.stage;
        this.clock = builder.clock;
        this.ownsStore = builder.store == null;
        this.store = ownsStore ? LocalUsageStore.create(clock) : builder.store;
        this.extraExcludes = List.copyOf(builder.excludes);
        this.snapshot = compile(builder.catalog);
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
        if (!s.metered(path)) {
            return Decision.NOT_METERED;
        }
        if (presentedKey == null || presentedKey.isEmpty()) {
            return forbidden(ForbiddenReason.MISSING_KEY, null, presentedKey, httpMethod, path);
        }
        if (ApiKey.problemWithValue(presentedKey) != null) {
            return forbidden(ForbiddenReason.MALFORMED_KEY, null, presentedKey, httpMethod, path);
        }
        KeyRegistry.Entry entry = s.keys.find(ApiKey.sha256(presentedKey));
        if (entry == null) {
            return forbidden(ForbiddenReason.UNKNOWN_KEY, null, presentedKey, httpMethod, path);
        }
        if (!entry.key().enabled()) {
            return forbidden(ForbiddenReason.DISABLED_KEY, entry.key(), presentedKey, httpMethod, path);
        }
        CompiledPlan plan = entry.plan();
        if (plan == null) {
            return forbidden(ForbiddenReason.NO_PLAN_ON_STAGE, entry.key(), presentedKey, httpMethod, path);
        }
        MethodRoute route = plan.route(httpMethod, path);
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        long nowNanos = now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
        QuotaWindow window = plan.window(nowMillis);
        Consumption c = store.tryConsume(new MeteringRequest(entry.stateKey(), plan.bucket(),
                route == null ? null : route.bucket(), window, nowNanos));
        Decision decision = switch (c.verdict()) {
            case ALLOWED -> new Decision(Outcome.ALLOWED, null, entry.key(), plan, route, c, window, nowMillis, 0);
            case METHOD_THROTTLED, PLAN_THROTTLED -> new Decision(Outcome.THROTTLED, null, entry.key(), plan, route, c,
                    window, nowMillis, Math.max(1, (c.nanosToRetry() + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND));
            case QUOTA_EXCEEDED -> new Decision(Outcome.QUOTA_EXCEEDED, null, entry.key(), plan, route, c, window,
                    nowMillis, window.secondsUntilEnd(nowMillis));
        };
        if (!decision.passes()) {
            logRejection(decision, presentedKey, httpMethod, path, c.verdict());
        }
        return decision;
    }

    /**
     * Replaces plans and keys without a restart; requests already being decided finish on the old catalog.
     * State in the store is kept: a key keeps its buckets and quota count on the same plan.
     */
    public void replaceCatalog(Catalog catalog) {
        this.snapshot = compile(catalog);
    }

    public Catalog catalog() {
        return snapshot.catalog;
    }

    /** The stage this engine meters, e.g. {@code test}. */
    public String stage() {
        return stage;
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

    /** Closes the store if this engine created it. */
    @Override
    public void close() {
        if (ownsStore) {
            store.close();
        }
    }

    private Snapshot compile(Catalog catalog) {
        Map<String, CompiledPlan> plans = new LinkedHashMap<>();
        Set<String> allStages = new LinkedHashSet<>();
        for (Plan plan : catalog.plans()) {
            plan.apiStages().forEach(s -> allStages.add(s.stage()));
            if (plan.stage(stage).isPresent()) {
                plans.put(plan.name(), new CompiledPlan(plan, stage));
            }
        }
        if (plans.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: no plan of API {0} applies to stage ''{1}'' (the plans name "
                    + "stages {2}); no request of this application is metered", catalog.api(), stage, allStages);
        }
        List<PathPattern> excludes = new ArrayList<>(extraExcludes);
        catalog.excludePaths().forEach(p -> excludes.add(PathPattern.of(p)));
        return new Snapshot(catalog, plans, new KeyRegistry(catalog, stage, plans), excludes.toArray(new PathPattern[0]));
    }

    private Decision forbidden(ForbiddenReason reason, ApiKey key, String presented, String method, String path) {
        Decision decision = Decision.forbidden(reason, key);
        if (REJECTIONS.isLoggable(System.Logger.Level.INFO)) {
            REJECTIONS.log(System.Logger.Level.INFO, "usage-plans: 403 Forbidden for " + method + " " + path + " on stage "
                    + stage + ": " + reason.text() + (presented == null || presented.isEmpty() ? "" : ", key " + ApiKey.mask(presented))
                    + (key == null ? "" : " (" + key.name() + ")"));
        }
        return decision;
    }

    private void logRejection(Decision d, String presented, String method, String path, Consumption.Verdict verdict) {
        if (REJECTIONS.isLoggable(System.Logger.Level.INFO)) {
            String limit = switch (verdict) {
                case METHOD_THROTTLED -> "method throttle " + d.methodKey();
                case PLAN_THROTTLED -> "plan throttle";
                case QUOTA_EXCEEDED -> "quota";
                case ALLOWED -> "none";
            };
            REJECTIONS.log(System.Logger.Level.INFO, "usage-plans: " + d.outcome().status() + " " + d.outcome().message()
                    + " for " + method + " " + path + " on stage " + stage + ": key " + ApiKey.mask(presented)
                    + " (" + d.apiKey().name() + "), plan " + d.planName() + ", " + limit + ", retry after "
                    + d.retryAfterSeconds() + " s");
        }
    }

    private static final class Snapshot {
        final Catalog catalog;
        final Map<String, CompiledPlan> plans;
        final KeyRegistry keys;
        final PathPattern[] excludes;

        Snapshot(Catalog catalog, Map<String, CompiledPlan> plans, KeyRegistry keys, PathPattern[] excludes) {
            this.catalog = catalog;
            this.plans = plans;
            this.keys = keys;
            this.excludes = excludes;
        }

        boolean metered(String path) {
            if (plans.isEmpty()) {
                return false;
            }
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
        private Clock clock = Clock.systemUTC();
        private UsageStore store;
        private final List<PathPattern> excludes = new ArrayList<>();

        private Builder(Catalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /** The stage this application serves, e.g. {@code test}; adapters default it to the context path. */
        public Builder stage(String value) {
            this.stage = value;
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

        /** A path that is never metered, in addition to the catalog's {@code excludePaths}; see {@link PathPattern}. */
        public Builder excludePath(String pattern) {
            try {
                excludes.add(PathPattern.of(pattern));
            } catch (IllegalArgumentException e) {
                throw new UsagePlansConfigException("excludePaths", e.getMessage());
            }
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
