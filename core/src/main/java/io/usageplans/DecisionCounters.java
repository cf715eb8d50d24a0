package io.usageplans;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;

/**
 * How many metered requests this engine (this JVM) decided, by plan and outcome, and the rejections of each key,
 * since start. Kept by every engine for the dashboard and the admin API; a plan's counters survive catalog changes.
 * An allowed request costs one {@link LongAdder} increment; per-key counters are touched only by rejections.
 * Requests that shadow mode served although they would have been refused ({@link Decision#wouldRefuse()}) are counted
 * apart, as {@link #wouldRefuseByPlan()} and {@link #wouldRefuseByKey()}, never as allowed or rejected.
 */
public final class DecisionCounters {

    private static final Outcome[] OUTCOMES = Outcome.values();

    private final ConcurrentHashMap<String, LongAdder[]> byPlan = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder[]> rejectionsByKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder[]> wouldRefuseByKey = new ConcurrentHashMap<>();
    private final LongAdder[] forbiddenByReason = adders(ForbiddenReason.values().length);

    /** Counters that start at 0; the engine keeps one for its life. */
    public DecisionCounters() {
    }

    /**
     * For the engine: the counters of one plan, indexed by {@link Outcome#ordinal()}, then those of shadow mode's
     * refusals; the same array for the engine's life, so that recording a decision needs no lookup by name.
     */
    public LongAdder[] plan(String name) {
        return byPlan.computeIfAbsent(name, n -> adders(2 * OUTCOMES.length));
    }

    /** For the engine: counts a decision; {@code planCounters} are its plan's ({@link #plan}), or null without a plan. */
    public void record(Decision decision, LongAdder[] planCounters) {
        Outcome outcome = decision.outcome();
        if (outcome == Outcome.NOT_METERED) {
            return;
        }
        if (decision.wouldRefuse()) {
            if (planCounters != null) {
                planCounters[OUTCOMES.length + outcome.ordinal()].increment();
            }
            if (decision.apiKey() != null) {
                wouldRefuseByKey.computeIfAbsent(decision.apiKey().name(), n -> adders(OUTCOMES.length))[outcome.ordinal()]
                        .increment();
            }
            return;
        }
        if (planCounters != null) {
            planCounters[outcome.ordinal()].increment();
        }
        if (outcome == Outcome.FORBIDDEN && decision.forbiddenReason() != null) {
            forbiddenByReason[decision.forbiddenReason().ordinal()].increment();
        }
        if (outcome != Outcome.ALLOWED && decision.apiKey() != null) {
            rejectionsByKey.computeIfAbsent(decision.apiKey().name(), n -> adders(OUTCOMES.length))[outcome.ordinal()].increment();
        }
    }

    /** Requests per outcome for each plan that decided any, e.g. {@code premium -> {ALLOWED=97, THROTTLED=3}}. */
    public Map<String, Map<Outcome, Long>> byPlan() {
        Map<String, Map<Outcome, Long>> result = new TreeMap<>();
        byPlan.forEach((plan, adders) -> result.put(plan, counts(adders)));
        return result;
    }

    /**
     * Requests shadow mode served although they would have been refused, per plan and the outcome enforcing would have
     * had, e.g. {@code basic -> {THROTTLED=0, QUOTA_EXCEEDED=40, ...}}; only plans that had any.
     */
    public Map<String, Map<Outcome, Long>> wouldRefuseByPlan() {
        Map<String, Map<Outcome, Long>> result = new TreeMap<>();
        byPlan.forEach((plan, adders) -> {
            Map<Outcome, Long> counts = new LinkedHashMap<>();
            long total = 0;
            for (Outcome outcome : OUTCOMES) {
                if (!outcome.passes()) {
                    long n = adders[OUTCOMES.length + outcome.ordinal()].sum();
                    counts.put(outcome, n);
                    total += n;
                }
            }
            if (total > 0) {
                result.put(plan, counts);
            }
        });
        return result;
    }

    /** Requests shadow mode served although they would have been refused, per key that had any and outcome. */
    public Map<String, Map<Outcome, Long>> wouldRefuseByKey() {
        Map<String, Map<Outcome, Long>> result = new TreeMap<>();
        wouldRefuseByKey.forEach((key, adders) -> {
            Map<Outcome, Long> counts = new LinkedHashMap<>();
            for (Outcome outcome : OUTCOMES) {
                if (!outcome.passes()) {
                    counts.put(outcome, adders[outcome.ordinal()].sum());
                }
            }
            result.put(key, counts);
        });
        return result;
    }

    /** Rejected requests per outcome for each key that had any (throttled, quota exceeded, forbidden, unavailable). */
    public Map<String, Map<Outcome, Long>> rejectionsByKey() {
        Map<String, Map<Outcome, Long>> result = new TreeMap<>();
        rejectionsByKey.forEach((key, adders) -> result.put(key, counts(adders)));
        return result;
    }

    /** Forbidden requests per reason (missing, unknown, disabled key...). */
    public Map<ForbiddenReason, Long> forbiddenByReason() {
        Map<ForbiddenReason, Long> result = new EnumMap<>(ForbiddenReason.class);
        for (ForbiddenReason reason : ForbiddenReason.values()) {
            long n = forbiddenByReason[reason.ordinal()].sum();
            if (n > 0) {
                result.put(reason, n);
            }
        }
        return result;
    }

    private static Map<Outcome, Long> counts(LongAdder[] adders) {
        Map<Outcome, Long> result = new LinkedHashMap<>();
        for (Outcome outcome : OUTCOMES) {
            if (outcome != Outcome.NOT_METERED) {
                result.put(outcome, adders[outcome.ordinal()].sum());
            }
        }
        return result;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }
}
