package io.usageplans.cdi;

import java.time.Instant;
import java.util.Optional;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.QuotaWindow;
import jakarta.enterprise.context.RequestScoped;

/**
 * The caller's own usage, for an endpoint that shows it: {@code @Inject CurrentUsage usage;}. It reads the decision
 * that metered the current request (as the filter, the JAX-RS feature or the interceptor made it), so it costs no
 * lookup and reflects this request.
 */
@RequestScoped
public class CurrentUsage {

    private Optional<Decision> decision() {
        return MeteringContext.current().flatMap(MeteringContext::decision).filter(Decision::metered);
    }

    /** Whether the current request was metered (a key was checked against a plan). */
    public boolean metered() {
        return decision().isPresent();
    }

    /** The name of the caller's key (never its value), if metered. */
    public Optional<String> keyName() {
        return decision().map(Decision::apiKey).map(io.usageplans.ApiKey::name); // none for keyless callers
    }

    /** The plan the request was metered under. */
    public Optional<String> plan() {
        return decision().map(Decision::planName);
    }

    /** Tokens left in the caller's plan bucket, if the plan is throttled. */
    public Optional<Long> throttleRemaining() {
        return decision().filter(d -> d.hasPlanThrottle()).map(d -> d.usage().planTokens());
    }

    /** Requests left in the current quota period, if the plan has a quota. */
    public Optional<Long> quotaRemaining() {
        return decision().filter(d -> d.quotaWindow() != null)
                .map(d -> Math.max(0, d.quotaWindow().limit() - d.usage().quotaUsed()));
    }

    /** The quota limit of the current period, if the plan has a quota. */
    public Optional<Long> quotaLimit() {
        return decision().map(Decision::quotaWindow).map(QuotaWindow::limit);
    }

    /** When the current quota period ends and the count starts again. */
    public Optional<Instant> quotaResetsAt() {
        return decision().map(Decision::quotaWindow).map(w -> Instant.ofEpochMilli(w.endMillis()));
    }

    /** The request's {@code RateLimit} field, the same numbers the response carries. */
    public Optional<String> rateLimit() {
        return decision().map(Decision::rateLimit);
    }

    /** The raw numbers of the store's answer. */
    public Optional<Decision.Usage> usage() {
        return decision().map(Decision::usage);
    }
}
