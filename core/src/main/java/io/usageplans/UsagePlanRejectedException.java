package io.usageplans;

/**
 * A call refused by its usage plan, thrown where no response can be written directly (a CDI interceptor on a bean
 * method). Adapters turn it into the same 403/429 response the filter writes: JAX-RS through an exception
 * mapper, servlets through the filter. Carries the {@link Decision}, hence Retry-After and the RateLimit fields.
 */
public class UsagePlanRejectedException extends RuntimeException {

    private final transient Decision decision;

    protected UsagePlanRejectedException(Decision decision) {
        super(decision.outcome().message() + (decision.retryAfterSeconds() > 0 ? ", retry after " + decision.retryAfterSeconds() + " s" : "")
                + (decision.planName() == null ? "" : " (plan " + decision.planName() + ")"), null, false, false);
        this.decision = decision;
    }

    /** The typed exception for a rejecting decision. */
    public static UsagePlanRejectedException of(Decision decision) {
        return switch (decision.outcome()) {
            case FORBIDDEN -> new Forbidden(decision);
            case THROTTLED -> new Throttled(decision);
            case QUOTA_EXCEEDED -> new QuotaExceeded(decision);
            case UNAVAILABLE -> new Unavailable(decision);
            default -> throw new IllegalArgumentException("not a rejection: " + decision);
        };
    }

    public Decision decision() {
        return decision;
    }

    /** 403 or 429. */
    public int status() {
        return decision.outcome().status();
    }

    /** Whole seconds until a retry can succeed; 0 for Forbidden. */
    public long retryAfterSeconds() {
        return decision.retryAfterSeconds();
    }

    /** The {@code RateLimit-Policy} field of the rejecting policy set, or null. */
    public String policy() {
        return decision.rateLimitPolicy();
    }

    /** No key, or the key may not call this (403 {"message":"Forbidden"}). */
    public static final class Forbidden extends UsagePlanRejectedException {
        Forbidden(Decision decision) {
            super(decision);
        }
    }

    /** A throttle has no token (429 {"message":"Too Many Requests"}). */
    public static final class Throttled extends UsagePlanRejectedException {
        Throttled(Decision decision) {
            super(decision);
        }
    }

    /** The store could not answer and the plan fails closed (503 {"message":"Service Unavailable"}). */
    public static final class Unavailable extends UsagePlanRejectedException {
        Unavailable(Decision decision) {
            super(decision);
        }
    }

    /** The quota of the period is used up (429 {"message":"Limit Exceeded"}). */
    public static final class QuotaExceeded extends UsagePlanRejectedException {
        QuotaExceeded(Decision decision) {
            super(decision);
        }
    }
}
