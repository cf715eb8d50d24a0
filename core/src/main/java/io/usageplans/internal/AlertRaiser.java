package io.usageplans.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.usageplans.Alerts;
import io.usageplans.Decision;
import io.usageplans.QuotaWindow;
import io.usageplans.UsageAlert;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;

/**
 * Raises a plan's {@link Alerts} once per key, threshold and period, also across a cluster. The request thread only
 * notes a candidate (a hash lookup); a daemon thread claims it in the store, as a request of cost 1 against a quota of 1
 * for the period on its own state key, and tells the listeners only when the claim is allowed. The store decides claims
 * atomically, so exactly one claim per key, threshold and period wins on every member together, whatever refunds,
 * allowances given back or quota resets do to the quota counter meanwhile.
 */
final class AlertRaiser {

    private static final System.Logger LOG = System.getLogger("io.usageplans.UsagePlans");
    /** Candidates waiting for their claim; more are dropped (and noted again by a later decision). */
    static final int QUEUE_CAPACITY = 10_000;
    /** Candidates this member remembers; past this, those of periods that ended are forgotten. */
    private static final int REMEMBERED = 100_000;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final UsageStore store;
    private final Clock clock;
    private final String stage;
    private final ListenerRegistry listeners;
    /** Candidate id → end of its period (epoch millis): noted by this member, claimed or on the way. */
    private final Map<String, Long> noted = new ConcurrentHashMap<>();
    private final RateLimitedLog problems = new RateLimitedLog(System::nanoTime, LOG_INTERVAL_NANOS);
    private volatile ThreadPoolExecutor claims;

    AlertRaiser(UsageStore store, Clock clock, String stage, ListenerRegistry listeners) {
        this.store = store;
        this.clock = clock;
        this.stage = stage;
        this.listeners = listeners;
    }

    /**
     * After a metered decision of {@code plan}: notes the alerts it may raise. Never blocks; a request past a threshold
     * that is noted already costs a map lookup, and the alert itself is made only once per member.
     */
    void observe(Decision decision, CompiledPlan plan) {
        Alerts alerts = plan.plan().alerts();
        if (!alerts.any() || decision.apiKey() == null || decision.outcome() == Decision.Outcome.FORBIDDEN
                || decision.outcome() == Decision.Outcome.UNAVAILABLE) {
            return;
        }
        QuotaWindow window = decision.quotaWindow();
        Decision.Usage usage = decision.usage();
        long used = window == null || usage == null ? 0 : usage.quotaUsed();
        if (window != null && usage != null) {
            for (int percent : alerts.quotaPercents()) {
                if (used < Alerts.threshold(window.limit(), percent)) {
                    break; // ascending
                }
                note(UsageAlert.Kind.QUOTA, percent, decision, plan, window.startMillis(), window.endMillis(), used,
                        window.limit());
            }
        }
        if (alerts.firstThrottle() && decision.outcome() == Decision.Outcome.THROTTLED) {
            long start;
            long end;
            if (window != null) {
                start = window.startMillis();
                end = window.endMillis();
            } else {
                LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
                start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            note(UsageAlert.Kind.FIRST_THROTTLE, 0, decision, plan, start, end, used, window == null ? 0 : window.limit());
        }
    }

    private void note(UsageAlert.Kind kind, int threshold, Decision decision, CompiledPlan plan, long startMillis,
                      long endMillis, long used, long limit) {
        String stateKey = UsageStore.stateKey(decision.apiKey().name(), plan.name());
        String claimKey = UsageStore.ANONYMOUS_PREFIX + "alert|" + kind + "|" + threshold + "|" + stateKey;
        String id = claimKey + "|" + startMillis;
        if (noted.containsKey(id)) {
            return;
        }
        UsageAlert alert = new UsageAlert(kind, plan.name(), decision.apiKey().name(), stage, threshold,
                Instant.ofEpochMilli(startMillis), used, limit, clock.instant());
        if (noted.size() >= REMEMBERED) {
            forgetEnded();
            if (noted.size() >= REMEMBERED) {
                logProblem("usage-plans: too many alerts pending; alert " + alert.kind() + " of key " + alert.key()
                        + " is noted again by a later request");
                return;
            }
        }
        if (noted.putIfAbsent(id, endMillis) != null) {
            return;
        }
        Instant time = alert.time();
        long nowNanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
        QuotaWindow period = new QuotaWindow(1, alert.periodStart().toEpochMilli(), endMillis);
        try {
            executor().execute(() -> claim(alert, new MeteringRequest(claimKey, null, null, period, nowNanos, 1), id));
        } catch (RejectedExecutionException e) {
            noted.remove(id);
            logProblem("usage-plans: the alert queue is full (" + QUEUE_CAPACITY + "); alert " + alert.kind() + " of key "
                    + alert.key() + " is noted again by a later request");
        }
    }

    /** On the alert thread: the store decides whether this member raises the alert. */
    private void claim(UsageAlert alert, MeteringRequest claim, String id) {
        Consumption c;
        try {
            c = store.tryConsume(claim);
        } catch (RuntimeException e) {
            noted.remove(id); // a later decision notes it again
            logProblem("usage-plans: could not claim alert " + alert.kind() + " of key " + alert.key() + " in the store ("
                    + e + "); a later request tries again");
            return;
        }
        if (c.verdict() == Consumption.Verdict.ALLOWED) {
            listeners.alerted(alert);
        }
    }

    private void forgetEnded() {
        long now = clock.millis();
        for (Iterator<Long> ends = noted.values().iterator(); ends.hasNext(); ) {
            if (ends.next() <= now) {
                ends.remove();
            }
        }
    }

    private ThreadPoolExecutor executor() {
        ThreadPoolExecutor executor = claims;
        if (executor == null) {
            synchronized (this) {
                executor = claims;
                if (executor == null) {
                    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                            new LinkedBlockingQueue<>(QUEUE_CAPACITY), runnable -> {
                                Thread thread = new Thread(runnable, "usage-plans-alerts");
                                thread.setDaemon(true);
                                return thread;
                            }, new ThreadPoolExecutor.AbortPolicy());
                    claims = executor;
                }
            }
        }
        return executor;
    }

    private void logProblem(String message) {
        if (problems.due()) {
            LOG.log(System.Logger.Level.WARNING, message + " (further such lines are suppressed for 10 s)");
        }
    }

    /** Lets claims under way finish (at most 2 s), then stops the thread; the store closes after this. */
    void close() {
        ThreadPoolExecutor executor = claims;
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
