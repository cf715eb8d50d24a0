package io.usageplans.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.usageplans.ApiKey;
import io.usageplans.Decision;
import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.ListenerContext;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;

/**
 * Counts usage-plan decisions in Micrometer as {@value #METER} with the tags {@code stage}, {@code plan} ({@code none}
 * when no key or plan was found), {@code outcome} ({@code allowed}, {@code throttled}, {@code quota_exceeded},
 * {@code forbidden}, {@code unavailable}, and {@value #WOULD_REFUSE}) and {@code reason} (why a request was forbidden,
 * e.g. {@code unknown_key}; {@code none} otherwise). Never tagged by key: key names are unbounded and would flood the
 * registry.
 *
 * <p>Shadow (report-only) mode: a request that was served although enforcing would have refused it
 * ({@link Decision#wouldRefuse()}) counts as outcome {@value #WOULD_REFUSE}, never as {@code allowed}, with the refusal
 * as its reason: {@code throttled}, {@code quota_exceeded}, {@code unavailable}, or the forbidden reason
 * ({@code unknown_key}...). So 50 requests past a quota of 10 under a shadow plan count 10 {@code allowed} and 40
 * {@code would_refuse} with reason {@code quota_exceeded}.
 *
 * <p>Two gauges besides: {@value #ACTIVE_KEYS} (the key states the store holds, tag {@code stage}) and
 * {@value #QUOTA_USED} (the quota units the keys of a plan used in its current period, tags {@code stage} and
 * {@code plan}; plans with a quota only), read from the store at most every {@value #GAUGE_REFRESH_SECONDS} s. Both are
 * removed from the registry when the engine closes.
 *
 * <p>With this jar on the class path every engine finds it through {@code ServiceLoader} and counts into the
 * application's {@code MeterRegistry} CDI bean when there is one (a server's, like WildFly's micrometer subsystem, or the
 * application's own producer), else into {@link Metrics#globalRegistry}; to count into another registry, add
 * {@code new MicrometerUsageListener(registry)} with {@code UsagePlans.addListener}.
 */
public final class MicrometerUsageListener implements UsageListener {

    /** The counter's name. */
    public static final String METER = "usageplans.requests";

    /** The {@code outcome} of a request shadow mode served although it would have been refused. */
    public static final String WOULD_REFUSE = "would_refuse";

    /** The gauge of key states in the store. */
    public static final String ACTIVE_KEYS = "usageplans.keys.active";
    /** The gauge of quota units used per plan in the current period. */
    public static final String QUOTA_USED = "usageplans.quota.used";
    /** How long a gauge's value from the store is kept before it is read again. */
    static final long GAUGE_REFRESH_SECONDS = 5;

    private static final System.Logger LOG = System.getLogger(MicrometerUsageListener.class.getName());
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final ForbiddenReason[] REASONS = ForbiddenReason.values();

    private final MeterRegistry registry;
    /** Per stage and plan, one counter per outcome and reason, made on first use; the request path only reads. */
    private final ConcurrentHashMap<String, Counter[]> counters = new ConcurrentHashMap<>();
    /** The gauges {@link #started} registered, removed by {@link #closed}. */
    private final List<Meter> gauges = new ArrayList<>();

    /**
     * Counts into the application's {@code MeterRegistry} CDI bean when CDI is there and has one, else into
     * Micrometer's global registry (what {@code ServiceLoader} uses).
     */
    public MicrometerUsageListener() {
        this(CdiRegistry.find().orElse(Metrics.globalRegistry));
    }

    public MicrometerUsageListener(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The registry this listener counts into. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void started(ListenerContext context) {
        String stage = context.stage();
        StoreReading activeKeys = new StoreReading(context.clock(), () -> {
            long keys = context.store().activeKeys();
            return keys < 0 ? Double.NaN : keys;
        });
        gauges.add(Gauge.builder(ACTIVE_KEYS, activeKeys, StoreReading::value)
                .description("Key states (a key on a plan) the usage-plans store holds")
                .tag("stage", stage).strongReference(true).register(registry));
        for (String plan : context.stagePlans()) {
            if (context.quotaWindow(plan) == null) {
                continue;
            }
            StoreReading used = new StoreReading(context.clock(), () -> quotaUsed(context, plan));
            gauges.add(Gauge.builder(QUOTA_USED, used, StoreReading::value)
                    .description("Quota units the plan's keys used in the current period")
                    .tag("stage", stage).tag("plan", plan).strongReference(true).register(registry));
        }
    }

    @Override
    public synchronized void closed() {
        for (Meter gauge : gauges) {
            registry.remove(gauge);
        }
        gauges.clear();
    }

    /** The sum of what the plan's keys used of the current period, from the store; NaN when it cannot tell now. */
    static double quotaUsed(ListenerContext context, String plan) {
        UsageStore store = context.store();
        QuotaWindow window = context.quotaWindow(plan);
        if (window == null || !store.can(UsageStore.Capability.QUOTA_READ) || !store.health().answering()) {
            return Double.NaN;
        }
        long sum = 0;
        for (ApiKey key : context.keyDirectory().keys()) {
            if (key.plans().contains(plan)) {
                sum += store.quotaUsed(UsageStore.stateKey(key.name(), plan), window);
            }
        }
        return sum;
    }

    /** A value read from the store when a registry asks, at most every few seconds; NaN when the read fails. */
    private static final class StoreReading {
        private final java.time.Clock clock;
        private final java.util.function.DoubleSupplier read;
        private double value = Double.NaN;
        private long readAt;
        private boolean done;

        StoreReading(java.time.Clock clock, java.util.function.DoubleSupplier read) {
            this.clock = clock;
            this.read = read;
        }

        synchronized double value() {
            long now = clock.millis();
            if (!done || now - readAt >= GAUGE_REFRESH_SECONDS * 1000 || now < readAt) {
                try {
                    value = read.getAsDouble();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "usage-plans: a gauge could not read the store", e);
                    value = Double.NaN;
                }
                readAt = now;
                done = true;
            }
            return value;
        }
    }

    @Override
    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        String plan = decision.planName() == null ? "none" : decision.planName();
        Counter[] forPlan = counters.get(stage + '\n' + plan);
        if (forPlan == null) {
            // one block of counters for enforced decisions, one for shadow mode's
            forPlan = counters.computeIfAbsent(stage + '\n' + plan, k -> new Counter[2 * OUTCOMES.length * (REASONS.length + 1)]);
        }
        ForbiddenReason reason = decision.forbiddenReason();
        boolean shadow = decision.wouldRefuse();
        int index = (shadow ? OUTCOMES.length * (REASONS.length + 1) : 0)
                + decision.outcome().ordinal() * (REASONS.length + 1) + (reason == null ? REASONS.length : reason.ordinal());
        Counter counter = forPlan[index];
        if (counter == null) {
            String outcome = decision.outcome().name().toLowerCase(Locale.ROOT);
            counter = Counter.builder(METER)
                    .description("Requests decided by usage plans")
                    .tag("stage", stage)
                    .tag("plan", plan)
                    .tag("outcome", shadow ? WOULD_REFUSE : outcome)
                    .tag("reason", reason != null ? reason.name().toLowerCase(Locale.ROOT) : shadow ? outcome : "none")
                    .register(registry); // the registry returns the same counter for the same tags, so a race is harmless
            forPlan[index] = counter;
        }
        counter.increment();
    }
}
