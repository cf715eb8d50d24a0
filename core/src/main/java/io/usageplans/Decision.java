package io.usageplans;

import java.util.LinkedHashMap;
import java.util.Map;

import io.usageplans.internal.CompiledPlan;
import io.usageplans.internal.MethodRoute;
import io.usageplans.internal.RateLimitFields;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;

/**
 * The answer for one request, from one call into the store: whether it may pass, why not, and everything the
 * response needs (status, message, Retry-After and the RateLimit fields). Adapters never look anything up again.
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

    public static final Decision NOT_METERED = new Decision(Outcome.NOT_METERED, null, null, null, null, null, null, 0, 0,
            ResponseSettings.DEFAULT);

    private final Outcome outcome;
    private final ForbiddenReason forbiddenReason;
    private final ApiKey key;
    private final CompiledPlan plan;
    private final MethodRoute route;
    private final Consumption consumption;
    private final QuotaWindow window;
    private final long nowMillis;
    private final long retryAfterSeconds;
    private final ResponseSettings responses;
    private MeteringRequest request;
    private volatile int completed;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Decision> COMPLETED =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Decision.class, "completed");

    Decision(Outcome outcome, ForbiddenReason forbiddenReason, ApiKey key, CompiledPlan plan, MethodRoute route,
             Consumption consumption, QuotaWindow window, long nowMillis, long retryAfterSeconds, ResponseSettings responses) {
        this.outcome = outcome;
        this.forbiddenReason = forbiddenReason;
        this.key = key;
        this.plan = plan;
        this.route = route;
        this.consumption = consumption;
        this.window = window;
        this.nowMillis = nowMillis;
        this.retryAfterSeconds = retryAfterSeconds;
        this.responses = responses;
    }

    /** The decision for a request that is not metered: it passes, nothing is counted, no RateLimit fields. */
    public static Decision notMetered() {
        return NOT_METERED;
    }

    static Decision forbidden(ForbiddenReason reason, ApiKey key, CompiledPlan plan, ResponseSettings responses) {
        return new Decision(Outcome.FORBIDDEN, reason, key, plan, null, null, null, 0, 0, responses);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Whether the request may go on to the application. */
    public boolean passes() {
        return outcome.passes();
    }

    /** For the engine: the request the store decided, kept so its units can be given back after the response. */
    Decision withRequest(MeteringRequest value) {
        this.request = value;
        return this;
    }

    MeteringRequest request() {
        return request;
    }

    /** True the first time only: a request is completed (and maybe refunded) exactly once. */
    boolean markCompleted() {
        return COMPLETED.compareAndSet(this, 0, 1);
    }

    CompiledPlan compiledPlan() {
        return plan;
    }

    MethodRoute methodRoute() {
        return route;
    }

    /** Whether a key was checked against a plan, i.e. the RateLimit fields apply. */
    public boolean metered() {
        return consumption != null;
    }

    /** For {@link Outcome#FORBIDDEN}: why; otherwise null. */
    public ForbiddenReason forbiddenReason() {
        return forbiddenReason;
    }

    /** The key, once it was recognised; null for missing, malformed and unknown keys. */
    public ApiKey apiKey() {
        return key;
    }

    /** The plan the request was metered under, or null. */
    public String planName() {
        return plan == null ? null : plan.name();
    }

    /** The method-level throttle that applied, like {@code /pets/{petId}/GET}, or null. */
    public String methodKey() {
        return route == null ? null : route.displayKey();
    }

    /** Whether the plan the request was metered under has a throttle. */
    public boolean hasPlanThrottle() {
        return plan != null && plan.bucket() != null;
    }

    /** The quota period the request was counted in, or null when the plan has no quota. */
    public QuotaWindow quotaWindow() {
        return window;
    }

    /** The store's answer, or null when no store was asked. */
    public Consumption consumption() {
        return consumption;
    }

    /** Whole seconds until a retry can succeed, rounded up, at least 1 on a 429; 0 otherwise. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The {@code RateLimit-Policy} field (draft-ietf-httpapi-ratelimit-headers-11), or null when not metered. */
    public String rateLimitPolicy() {
        return consumption == null ? null : RateLimitFields.policy(plan, route, window, responses.bucketShape());
    }

    /** Whether the response carries the RateLimit fields: metered, and not hidden by the response settings. */
    public boolean sendsRateLimitFields() {
        return consumption != null && responses.rateLimitHeaders();
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
        if (consumption == null) {
            return null;
        }
        return switch (consumption.verdict()) {
            case METHOD_THROTTLED -> route == null ? null : route.rawPolicyName();
            case PLAN_THROTTLED -> plan.rawBurstPolicyName();
            case QUOTA_EXCEEDED -> plan.rawQuotaPolicyName();
            case ALLOWED -> null;
        };
    }

    /** The {@code RateLimit} field (draft-ietf-httpapi-ratelimit-headers-11), or null when not metered. */
    public String rateLimit() {
        return consumption == null ? null : RateLimitFields.limit(plan, route, consumption, window, nowMillis);
    }

    @Override
    public String toString() {
        return "Decision[" + outcome + (forbiddenReason == null ? "" : " " + forbiddenReason)
                + (plan == null ? "" : " plan=" + plan.name()) + (retryAfterSeconds == 0 ? "" : " retryAfter=" + retryAfterSeconds) + "]";
    }
}
