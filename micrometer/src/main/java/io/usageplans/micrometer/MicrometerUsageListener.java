package io.usageplans.micrometer;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.usageplans.Decision;
import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.spi.UsageListener;

/**
 * Counts usage-plan decisions in Micrometer as {@value #METER} with the tags {@code stage}, {@code plan} ({@code none}
 * when no key or plan was found), {@code outcome} ({@code allowed}, {@code throttled}, {@code quota_exceeded},
 * {@code forbidden}, {@code unavailable}) and {@code reason} (why a request was forbidden, e.g. {@code unknown_key};
 * {@code none} otherwise). Never tagged by key: key names are unbounded and would flood the registry.
 *
 * <p>With this jar on the class path every engine finds it through {@code ServiceLoader} and counts into
 * {@link Metrics#globalRegistry}; to count into another registry, add {@code new MicrometerUsageListener(registry)}
 * with {@code UsagePlans.addListener}.
 */
public final class MicrometerUsageListener implements UsageListener {

    /** The counter's name. */
    public static final String METER = "usageplans.requests";

    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final ForbiddenReason[] REASONS = ForbiddenReason.values();

    private final MeterRegistry registry;
    /** Per stage and plan, one counter per outcome and reason, made on first use; the request path only reads. */
    private final ConcurrentHashMap<String, Counter[]> counters = new ConcurrentHashMap<>();

    /** Counts into Micrometer's global registry (what {@code ServiceLoader} uses). */
    public MicrometerUsageListener() {
        this(Metrics.globalRegistry);
    }

    public MicrometerUsageListener(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        String plan = decision.planName() == null ? "none" : decision.planName();
        Counter[] forPlan = counters.get(stage + '\n' + plan);
        if (forPlan == null) {
            forPlan = counters.computeIfAbsent(stage + '\n' + plan, k -> new Counter[OUTCOMES.length * (REASONS.length + 1)]);
        }
        ForbiddenReason reason = decision.forbiddenReason();
        int index = decision.outcome().ordinal() * (REASONS.length + 1) + (reason == null ? REASONS.length : reason.ordinal());
        Counter counter = forPlan[index];
        if (counter == null) {
            counter = Counter.builder(METER)
                    .description("Requests decided by usage plans")
                    .tag("stage", stage)
                    .tag("plan", plan)
                    .tag("outcome", decision.outcome().name().toLowerCase(Locale.ROOT))
                    .tag("reason", reason == null ? "none" : reason.name().toLowerCase(Locale.ROOT))
                    .register(registry); // the registry returns the same counter for the same tags, so a race is harmless
            forPlan[index] = counter;
        }
        counter.increment();
    }
}
