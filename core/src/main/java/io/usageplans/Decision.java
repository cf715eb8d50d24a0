package io.usageplans;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer for one request, from one call into the store: whether it may pass, why not, and everything the
 * response needs (status, message, Retry-After and the RateLimit fields). Adapters never look anything up again.
 * The engine makes one with a named factory ({@link #allowed}, {@link #throttled}, {@link #quotaExceeded},
 * {@link #forbidden}, {@link #unavailable}, {@link #failedOpen}, {@link #NOT_METERED}); in shadow (report-only) mode
 * a refusal becomes {@link #wouldRefuse(Decision)}: the same outcome and numbers, but the request passes.
 */
public final class Decision {

    /** What happened to the request. */
    public enum Outcome {
        /** The path is not covered by any plan on this stage, or is excluded: no key needed, nothing counted. */
        NOT_METERED(0, null),
        /** Counted against the key's plan and let through. */
        ALLOWED(0, null),
        /** No usable key for this request on this stage: 403. */
        FORBIDDEN(403, "Forbidden"),
        /** A throttle (plan or method) has no token: 429. */
        THROTTLED(429, "Too Many Requests"),
        /** The quota of the current period is used up: 429. */
        QUOTA_EXCEEDED(429, "Limit Exceeded"),
        /** The store could not answer in time and the plan fails closed: 503. */
        UNAVAILABLE(503, "Service Unavailable");

        private final int status;
        private final String message;

        Outcome(int status, String message) {
            this.status = status;
            this.message = message;
        }

        /** The HTTP status of a rejection, 0 for requests that pass. */
        public int status() {
            return status;
        }

        /** The gateway's message for a rejection, as in {@code {"message":"Forbidden"}}; null for requests that pass. */
        public String message() {
            return message;
        }

        public boolean passes() {
            return status == 0;
        }

        /** The gateway's JSON body for a rejection, e.g. {@code {"message":"Limit Exceeded"}}; null for requests that pass. */
        public String jsonBody() {
            return message == null ? null : "{\"message\":\"" + message + "\"}";
        }
    }

    /** Why a request was forbidden; only logged, the caller always sees {@code {"message":"Forbidden"}}. */
    public enum ForbiddenReason {
        MISSING_KEY("no API key"),
        MALFORMED_KEY("malformed API key"),
        UNKNOWN_KEY("unknown API key"),
        DISABLED_KEY("disabled API key"),
        NO_PLAN_ON_STAGE("key has no plan on this stage"),
        PLAN_NOT_ALLOWED("key's plan may not call this method"),
        /** The request carried more than one distinct key (several {@code x-api-key} headers): none of them is used. */
        SEVERAL_KEYS("several keys");

        private final String text;

        ForbiddenReason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** Which limit refused a request. */
    public enum Limit {
        /** The method-level throttle of the route. */
        METHOD_THROTTLE,
        /** The plan's throttle. */
        PLAN_THROTTLE,
        /** The quota of the current period. */
        QUOTA,
        /** The stage's throttle of the method, for all callers together. */
        STAGE_THROTTLE
    }

    /**
     * The state of every limit after the store decided a request (the store's answer implements it; the decision keeps
     * a copy, {@link #usage()}). Numbers of limits that do not apply are 0.
     */
    public interface Usage {
        /** Tokens left in the plan bucket. */
        long planTokens();

        /** Nanoseconds until the plan bucket is full again. */
        long planNanosToFull();

        /** Tokens left in the method bucket. */
        long methodTokens();

        /** Nanoseconds until the method bucket is full again. */
        long methodNanosToFull();

        /** Requests counted in the current quota period, this one included if allowed. */
        long quotaUsed();

        /** For a throttled request, nanoseconds until the refusing bucket has a token again. */
        long nanosToRetry();
    }

    /**
     * The limits a request was checked against, as the engine compiled them (one per plan, and one per plan and method
     * throttle): they name the policies and render the RateLimit fields. The engine implements it.
     */
    public interface Limits {
        /** The plan's name. */
        String planName();

        /** The method-level throttle that applies, like {@code /pets/{petId}/GET}, or null. */
        String methodKey();

        /** Whether the plan has a throttle. */
        boolean hasPlanThrottle();

        /** The name without quotes of the policy of {@code limit}, e.g. {@code premium-day}; null when there is none. */
        String policyName(Limit limit);

        /** The {@code RateLimit-Policy} field for a request counted in {@code window} (null without quota). */
        String rateLimitPolicy(QuotaWindow window, boolean bucketShape);

        /** The {@code RateLimit} field after {@code usage}, at {@code nowMillis}. */
        String rateLimit(Usage usage, QuotaWindow window, long nowMillis);
    }

    /** What the store was asked to charge (the engine's request to the store implements it). */
    public interface Charge {
        /** The quota period the request counts in, or null when the plan has no quota. */
        QuotaWindow quota();

        /** When the request was decided, in nanoseconds since the epoch on the engine's clock. */
        long nowNanos();

        /** Units charged against every limit. */
        long cost();
    }

    /** The decision for a request that is not metered: it passes, nothing is counted, no RateLimit fields. */
    public static final Decision NOT_METERED = new Decision(Outcome.NOT_METERED, null, null, null, null, null, null,
            ResponseSettings.DEFAULT);

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final ForbiddenReason[] REASONS = ForbiddenReason.values();
    private static final Limit[] LIMITS = Limit.values();

    // One object per decision and nothing else: the store's numbers and the charge's time and cost are copied in,
    // not kept as objects, so that the request and the store's answer need not outlive the call into the store.
    private final Outcome outcome;
    /** {@link ForbiddenReason#ordinal()} + 1, 0 for none. */
    private final byte forbiddenReason;
    /** {@link Limit#ordinal()} + 1, 0 for none. */
    private final byte refusedBy;
    /** Whether a store decided (then the numbers below are its answer and the charge's). */
    private final boolean metered;
    private final ApiKey key;
    private final Limits limits;
    private final QuotaWindow window;
    private final ResponseSettings responses;
    private final long nowNanos;
    private final long cost;
    private final long planTokens;
    private final long planNanosToFull;
    private final long methodTokens;
    private final long methodNanosToFull;
    private final long quotaUsed;
    private final long nanosToRetry;
    /** Shadow (report-only) mode: refused, yet the request passes. */
    private final boolean shadow;
    private volatile int completed;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Decision> COMPLETED =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Decision.class, "completed");

    private Decision(Outcome outcome, ForbiddenReason forbiddenReason, Limit refusedBy, ApiKey key, Limits limits,
                     Charge charge, Usage usage, ResponseSettings responses) {
        this.outcome = outcome;
        this.forbiddenReason = (byte) (forbiddenReason == null ? 0 : forbiddenReason.ordinal() + 1);
        this.refusedBy = (byte) (refusedBy == null ? 0 : refusedBy.ordinal() + 1);
        this.key = key;
        this.limits = limits;
        this.responses = java.util.Objects.requireNonNull(responses, "responses");
        this.shadow = false;
        this.metered = usage != null;
        if (usage != null) {
            this.window = charge.quota();
            this.nowNanos = charge.nowNanos();
            this.cost = charge.cost();
            this.planTokens = usage.planTokens();
            this.planNanosToFull = usage.planNanosToFull();
            this.methodTokens = usage.methodTokens();
            this.methodNanosToFull = usage.methodNanosToFull();
            this.quotaUsed = usage.quotaUsed();
            this.nanosToRetry = usage.nanosToRetry();
        } else {
            this.window = null;
            this.nowNanos = 0;
            this.cost = 0;
            this.planTokens = 0;
            this.planNanosToFull = 0;
            this.methodTokens = 0;
            this.methodNanosToFull = 0;
            this.quotaUsed = 0;
            this.nanosToRetry = 0;
        }
    }

    /** A copy of {@code refused} that passes: the refusal made in shadow (report-only) mode. */
    private Decision(Decision refused) {
        this.outcome = refused.outcome;
        this.forbiddenReason = refused.forbiddenReason;
        this.refusedBy = refused.refusedBy;
        this.metered = refused.metered;
        this.key = refused.key;
        this.limits = refused.limits;
        this.window = refused.window;
        this.responses = refused.responses;
        this.nowNanos = refused.nowNanos;
        this.cost = refused.cost;
        this.planTokens = refused.planTokens;
        this.planNanosToFull = refused.planNanosToFull;
        this.methodTokens = refused.methodTokens;
        this.methodNanosToFull = refused.methodNanosToFull;
        this.quotaUsed = refused.quotaUsed;
        this.nanosToRetry = refused.nanosToRetry;
        this.shadow = true;
    }

    /** The decision for a request that is not metered: it passes, nothing is counted, no RateLimit fields. */
    public static Decision notMetered() {
        return NOT_METERED;
    }

    /**
     * The store counted the request against every limit and let it through. The decision copies what it needs from
     * {@code charge} and {@code usage} and keeps neither.
     */
    public static Decision allowed(ApiKey key, Limits limits, Charge charge, Usage usage, ResponseSettings responses) {
        return new Decision(Outcome.ALLOWED, null, null, key, limits, java.util.Objects.requireNonNull(charge, "charge"),
                java.util.Objects.requireNonNull(usage, "usage"), responses);
    }

    /**
     * A throttle ({@code by} the plan's or the method's) had no token: 429, retry after the refusing bucket has one
     * again (whole seconds, rounded up, at least 1).
     */
    public static Decision throttled(Limit by, ApiKey key, Limits limits, Charge charge, Usage usage,
                                     ResponseSettings responses) {
        if (by == Limit.QUOTA) {
            throw new IllegalArgumentException("a throttle refuses a throttled request, not " + by);
        }
        return new Decision(Outcome.THROTTLED, null, by, key, limits, java.util.Objects.requireNonNull(charge, "charge"),
                java.util.Objects.requireNonNull(usage, "usage"), responses);
    }

    /** The quota of the current period is used up: 429, retry when the period ends. */
    public static Decision quotaExceeded(ApiKey key, Limits limits, Charge charge, Usage usage, ResponseSettings responses) {
        if (charge.quota() == null) {
            throw new IllegalArgumentException("a quota refuses a request only where the plan has a quota");
        }
        return new Decision(Outcome.QUOTA_EXCEEDED, null, Limit.QUOTA, key, limits, charge,
                java.util.Objects.requireNonNull(usage, "usage"), responses);
    }

    /** No usable key for this request on this stage: 403. {@code key} and {@code plan} as far as they were found. */
    public static Decision forbidden(ForbiddenReason reason, ApiKey key, Limits plan, ResponseSettings responses) {
        return new Decision(Outcome.FORBIDDEN, java.util.Objects.requireNonNull(reason, "reason"), null, key, plan, null,
                null, responses);
    }

    /** The store could not answer and the key's plan fails closed: 503, retry after 1 s. */
    public static Decision unavailable(ApiKey key, Limits plan, ResponseSettings responses) {
        return new Decision(Outcome.UNAVAILABLE, null, null, key, plan, null, null, responses);
    }

    /** The store could not answer and the key's plan fails open: the request passes, counted nowhere. */
    public static Decision failedOpen(ApiKey key, Limits plan, ResponseSettings responses) {
        return new Decision(Outcome.ALLOWED, null, null, key, plan, null, null, responses);
    }

    /**
     * The refusal {@code refused} in shadow (report-only) mode: the same outcome, limit, numbers and RateLimit fields
     * (remaining 0 when exhausted), but the request {@link #passes() passes} and {@link #wouldRefuse()} says so. Like
     * the refusal, it charged nothing.
     *
     * @throws IllegalArgumentException if {@code refused} passes
     */
    public static Decision wouldRefuse(Decision refused) {
        if (refused.passes()) {
            throw new IllegalArgumentException("not a refusal: " + refused);
        }
        return new Decision(refused);
    }

    /**
     * What was decided; for a {@linkplain #wouldRefuse() shadow-mode refusal}, what enforcing would have answered
     * ({@link Outcome#THROTTLED}, {@link Outcome#QUOTA_EXCEEDED}, ...), although the request passes.
     */
    public Outcome outcome() {
        return outcome;
    }

    /** Whether the request may go on to the application: it was allowed, or only {@linkplain #wouldRefuse() would be refused}. */
    public boolean passes() {
        return shadow || outcome.passes();
    }

    /**
     * Whether the request was refused in shadow (report-only) mode ({@code usageplans.shadow=true}, or a plan's
     * {@code shadow: true}): {@link #outcome()}, {@link #refusedBy()} and {@link #retryAfterSeconds()} say what enforcing
     * would have answered, but the request goes to the application and nothing was charged for it.
     */
    public boolean wouldRefuse() {
        return shadow;
    }

    /** The limits the request was checked against (its plan, and its method throttle if one applied), or null. */
    public Limits limits() {
        return limits;
    }

    /** For the engine: when the store decided the request, in nanoseconds since the epoch on the engine's clock; 0 if it was not asked. */
    long nowNanos() {
        return nowNanos;
    }

    /** For the engine: the units the store was asked to charge against every limit; 0 if it was not asked. */
    long cost() {
        return cost;
    }

    /** True the first time only: a request is completed (and maybe refunded) exactly once. */
    boolean markCompleted() {
        return COMPLETED.compareAndSet(this, 0, 1);
    }

    /** Whether a key was checked against a plan, i.e. the RateLimit fields apply. */
    public boolean metered() {
        return metered;
    }

    /** For {@link Outcome#FORBIDDEN}: why; otherwise null. */
    public ForbiddenReason forbiddenReason() {
        return forbiddenReason == 0 ? null : REASONS[forbiddenReason - 1];
    }

    /** The key, once it was recognised; null for missing, malformed and unknown keys, and for callers metered without a key. */
    public ApiKey apiKey() {
        return key;
    }

    /** The plan the request was metered under, or null. */
    public String planName() {
        return limits == null ? null : limits.planName();
    }

    /** The method-level throttle that applied, like {@code /pets/{petId}/GET}, or null. */
    public String methodKey() {
        return limits == null ? null : limits.methodKey();
    }

    /** Whether the plan the request was metered under has a throttle. */
    public boolean hasPlanThrottle() {
        return limits != null && limits.hasPlanThrottle();
    }

    /** The quota period the request was counted in, or null when the plan has no quota. */
    public QuotaWindow quotaWindow() {
        return window;
    }

    /** The state of every limit after the store decided, or null when no store was asked. */
    public Usage usage() {
        return metered ? new UsageView(this) : null;
    }

    /** Which limit refused the request, or null when none did. */
    public Limit refusedBy() {
        return refusedBy == 0 ? null : LIMITS[refusedBy - 1];
    }

    /** Whole seconds until a retry can succeed, rounded up, at least 1 on a 429; 0 otherwise. */
    public long retryAfterSeconds() {
        return switch (outcome) {
            case THROTTLED -> Math.max(1, (nanosToRetry + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
            case QUOTA_EXCEEDED -> window.secondsUntilEnd(Math.floorDiv(nowNanos, NANOS_PER_MILLI));
            case UNAVAILABLE -> 1;
            default -> 0;
        };
    }

    /** The {@code RateLimit-Policy} field (draft-ietf-httpapi-ratelimit-headers-11), or null when not metered. */
    public String rateLimitPolicy() {
        return metered ? limits.rateLimitPolicy(window, responses.bucketShape()) : null;
    }

    /** Whether the response carries the RateLimit fields: metered, and not hidden by the response settings. */
    public boolean sendsRateLimitFields() {
        return metered && responses.rateLimitHeaders();
    }

    /** The refusal as the response settings render it (status, content type, body, extra headers). */
    public ResponseSettings.Rendered rejection() {
        if (passes()) {
            throw new IllegalStateException("not a refusal: " + this);
        }
        return responses.render(this);
    }

    /**
     * The header fields of this refusal's response besides {@code Content-Type}, in the order adapters write them:
     * {@code Retry-After}, the RateLimit fields (unless hidden), then the response settings' own headers, which replace
     * any of the former they name. Every adapter writes exactly these, so a refusal looks the same on every path.
     */
    public Map<String, String> refusalHeaders() {
        ResponseSettings.Rendered rendered = rejection();
        Map<String, String> headers = new LinkedHashMap<>();
        long retryAfterSeconds = retryAfterSeconds();
        if (retryAfterSeconds > 0) {
            headers.put("Retry-After", Long.toString(retryAfterSeconds));
        }
        if (sendsRateLimitFields()) {
            headers.put("RateLimit-Policy", rateLimitPolicy());
            headers.put("RateLimit", rateLimit());
        }
        for (Map.Entry<String, String> header : rendered.headers().entrySet()) {
            headers.keySet().removeIf(name -> name.equalsIgnoreCase(header.getKey()));
            headers.put(header.getKey(), header.getValue());
        }
        return headers;
    }

    /** The name of the policy that refused the request, e.g. {@code premium-day}; null if none did. */
    public String violatedPolicy() {
        return !metered || refusedBy == 0 ? null : limits.policyName(refusedBy());
    }

    /** The {@code RateLimit} field (draft-ietf-httpapi-ratelimit-headers-11), or null when not metered. */
    public String rateLimit() {
        return metered ? limits.rateLimit(new UsageView(this), window, Math.floorDiv(nowNanos, NANOS_PER_MILLI)) : null;
    }

    /** The store's answer as the decision keeps it (copied in, so that the store's object need not live on). */
    private record UsageView(Decision d) implements Usage {
        @Override
        public long planTokens() {
            return d.planTokens;
        }

        @Override
        public long planNanosToFull() {
            return d.planNanosToFull;
        }

        @Override
        public long methodTokens() {
            return d.methodTokens;
        }

        @Override
        public long methodNanosToFull() {
            return d.methodNanosToFull;
        }

        @Override
        public long quotaUsed() {
            return d.quotaUsed;
        }

        @Override
        public long nanosToRetry() {
            return d.nanosToRetry;
        }
    }

    @Override
    public String toString() {
        long retryAfterSeconds = retryAfterSeconds();
        return "Decision[" + (shadow ? "would refuse: " : "") + outcome + (forbiddenReason == 0 ? "" : " " + forbiddenReason())
                + (limits == null ? "" : " plan=" + limits.planName()) + (retryAfterSeconds == 0 ? "" : " retryAfter=" + retryAfterSeconds) + "]";
    }
}
