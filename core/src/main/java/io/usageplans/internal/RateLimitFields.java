package io.usageplans.internal;

import io.usageplans.QuotaWindow;
import io.usageplans.Decision;

/**
 * Renders the {@code RateLimit-Policy} and {@code RateLimit} fields of draft-ietf-httpapi-ratelimit-headers-11:
 * a structured-field list of named policies, most specific first: the method throttle, the plan's burst, the quota.
 * Policy items carry {@code q} (quota units) and {@code w} (window, seconds); limit items {@code r} (remaining)
 * and {@code t} (seconds until the policy is fully reset, rounded up).
 */
final class RateLimitFields {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RateLimitFields() {
    }

    /**
     * The policy field changes only with the quota period, so it is rendered once per plan, method and period and
     * then reused: the request path allocates nothing for it.
     */
    public static String policy(CompiledPlan plan, MethodRoute route, QuotaWindow window, boolean bucketShape) {
        CachedPolicy cached = route == null ? plan.cachedPolicy : route.cachedPolicy;
        if (cached != null && cached.shape == bucketShape && (cached.window == window || java.util.Objects.equals(cached.window, window))) {
            return cached.value;
        }
        String value = render(plan, route, window, bucketShape);
        cached = new CachedPolicy(window, bucketShape, value);
        if (route == null) {
            plan.cachedPolicy = cached;
        } else {
            route.cachedPolicy = cached;
        }
        return value;
    }

    /** A rendered policy field and what it was rendered for. */
    record CachedPolicy(QuotaWindow window, boolean shape, String value) {
    }

    private static String render(CompiledPlan plan, MethodRoute route, QuotaWindow window, boolean bucketShape) {
        StringBuilder out = new StringBuilder(96);
        if (route != null) {
            out.append(bucketShape ? route.shapedPolicyItem : route.policyItem);
        }
        if (plan.burstPolicyItem != null) {
            separate(out).append(bucketShape ? plan.shapedBurstPolicyItem : plan.burstPolicyItem);
        }
        if (window != null) {
            separate(out).append(plan.quotaPolicyItem(window));
        }
        return out.toString();
    }

    public static String limit(CompiledPlan plan, MethodRoute route, Decision.Usage c, QuotaWindow window, long nowMillis) {
        StringBuilder out = new StringBuilder(96);
        if (route != null) {
            out.append(route.policyName).append(";r=").append(c.methodTokens()).append(";t=").append(ceilSeconds(c.methodNanosToFull()));
        }
        if (plan.burstPolicyItem != null) {
            separate(out).append(plan.burstPolicyName).append(";r=").append(c.planTokens())
                    .append(";t=").append(ceilSeconds(c.planNanosToFull()));
        }
        if (window != null) {
            separate(out).append(plan.quotaPolicyName).append(";r=").append(Math.max(0, window.limit() - c.quotaUsed()))
                    .append(";t=").append(window.secondsUntilEnd(nowMillis));
        }
        return out.toString();
    }

    /**
     * The vendor parameters with a bucket's exact shape, which {@code q} and {@code w} only approximate:
     * {@code up-burst} (tokens) and {@code up-rate} (tokens per second, an sf-decimal).
     */
    static String shape(io.usageplans.Throttle throttle) {
        java.math.BigDecimal rate = java.math.BigDecimal.valueOf(throttle.rateLimit()).setScale(3, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros();
        String decimal = rate.scale() <= 0 ? rate.setScale(1).toPlainString() : rate.toPlainString();
        return ";up-burst=" + throttle.burstLimit() + ";up-rate=" + decimal;
    }

    /** Whole seconds, rounded up: a bucket 50 ms from full says {@code t=1}; a full one {@code t=0}. */
    public static long ceilSeconds(long nanos) {
        // divide, then round up: adding 999,999,999 first would overflow near Long.MAX_VALUE (a bucket that never refills)
        return nanos <= 0 ? 0 : nanos / NANOS_PER_SECOND + (nanos % NANOS_PER_SECOND == 0 ? 0 : 1);
    }

    /** An RFC 8941 sf-string: quoted, with {@code "} and {@code \} escaped and non-printable characters dropped. */
    static String quote(String name) {
        StringBuilder out = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c <= 0x7e) {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static StringBuilder separate(StringBuilder out) {
        return out.length() == 0 ? out : out.append(", ");
    }
}
