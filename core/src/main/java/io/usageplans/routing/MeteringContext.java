package io.usageplans.routing;

import java.util.Optional;
import java.util.concurrent.Callable;

import io.usageplans.Decision;

/**
 * The API key and decision of the call running on this thread: set by the filter around the application, or by
 * {@link #withKey} for work no request carries (a scheduled job, a message listener). Interceptors read it to
 * meter bean methods against the right key, and to count a request once.
 */
public final class MeteringContext {

    /**
     * The outermost adapter of an HTTP request (the servlet filter), which the layers inside it (the JAX-RS feature,
     * the interceptor) hand their refusals and decisions to: so a refusal looks the same whichever layer made it, and
     * every decision is completed once, with the request's final status.
     */
    public interface Responder {

        /**
         * Writes {@code refusal} as the request's response, exactly as the outer adapter writes its own refusals;
         * false if it no longer can (the response is committed), and the caller answers it itself.
         */
        boolean refuse(Decision refusal);

        /** Completes {@code decision} ({@link io.usageplans.UsagePlans#complete}) with the request's final status, once it is known. */
        void completeWithResponse(Decision decision);
    }

    private static final ThreadLocal<MeteringContext> CURRENT = new ThreadLocal<>();

    private final String apiKey;
    private final Decision decision;
    private final boolean request;
    private final boolean counts;
    private final Responder responder;
    private final String clientAddress;

    private MeteringContext(String apiKey, Decision decision, boolean request, boolean counts, Responder responder) {
        this(apiKey, null, decision, request, counts, responder);
    }

    private MeteringContext(String apiKey, String clientAddress, Decision decision, boolean request, boolean counts,
                            Responder responder) {
        this.clientAddress = clientAddress;
        this.apiKey = apiKey;
        this.decision = decision;
        this.request = request;
        this.counts = counts;
        this.responder = responder;
    }

    /** The context of this thread, if a request or a {@link #withKey} call is running. */
    public static Optional<MeteringContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Whether a request's filter already runs on this thread (so a second filter does not count it again). */
    public static boolean inRequest() {
        MeteringContext context = CURRENT.get();
        return context != null && context.request;
    }

    /**
     * Runs {@code call} with {@code apiKey} as the key that metered bean methods are charged to. Inside a request
     * the explicit key wins over the request's. The key is a secret: pass it, never log it.
     */
    public static <T> T withKey(String apiKey, Callable<T> call) throws Exception {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, null, false, true, null));
        try {
            return call.call();
        } finally {
            restore(previous);
        }
    }

    /** {@link #withKey(String, Callable)} for calls that return nothing and throw no checked exception. */
    public static void runWithKey(String apiKey, Runnable call) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, null, false, true, null));
        try {
            call.run();
        } finally {
            restore(previous);
        }
    }

    /** For adapters: marks the start of a request's application code; returns what to {@link #restore} after it. */
    public static MeteringContext enterRequest(String apiKey, Decision decision) {
        return enterRequest(apiKey, decision, null);
    }

    /**
     * For adapters: marks the start of a request's application code, metered (or not) by {@code decision}, with the
     * {@code responder} that answers for the layers inside; returns what to {@link #restore} after it.
     */
    public static MeteringContext enterRequest(String apiKey, Decision decision, Responder responder) {
        return enterRequest(apiKey, null, decision, responder);
    }

    /**
     * As {@link #enterRequest(String, Decision, Responder)}, with the caller's client address as the filter resolved it
     * (the identity of callers of keyless methods).
     */
    public static MeteringContext enterRequest(String apiKey, String clientAddress, Decision decision, Responder responder) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, clientAddress, decision, true, true, responder));
        return previous;
    }

    /**
     * For adapters: marks the start of a request that a {@code skip:}/{@code only:} condition says does not count, so
     * that no layer inside it meters it either; returns what to {@link #restore} after it.
     */
    public static MeteringContext enterUncountedRequest(String apiKey, Responder responder) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, Decision.NOT_METERED, true, false, responder));
        return previous;
    }

    /**
     * For adapters: marks the call about to run as metered by {@code decision}, so layers inside it (a metered bean
     * called by a metered resource) do not count it again; returns what to {@link #restore} when it returns.
     */
    public static MeteringContext enterMetered(Decision decision) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(previous == null ? new MeteringContext(null, decision, false, true, null)
                : new MeteringContext(previous.apiKey, previous.clientAddress, decision, previous.request, previous.counts,
                        previous.responder));
        return previous;
    }

    /** For adapters: puts back the context {@link #enterRequest} returned. */
    public static void restore(MeteringContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** The raw key presented by the request or set by {@link #withKey}; may be null. Never log it. */
    public String apiKey() {
        return apiKey;
    }

    /** The caller's client address as the filter resolved it (proxies and IPv6 prefix applied), or null. */
    public String clientAddress() {
        return clientAddress;
    }

    /** Whether the key came from an HTTP request (rather than {@link #withKey}). */
    public boolean fromRequest() {
        return request;
    }

    /** The decision of the layer that metered this call, if one did. */
    public Optional<Decision> decision() {
        return Optional.ofNullable(decision);
    }

    /** Whether a layer already counted this call against the key's limits. */
    public boolean alreadyMetered() {
        return decision != null && decision.metered();
    }

    /**
     * Whether an outer layer settled this call: it metered it, or a {@code skip:}/{@code only:} condition says it does
     * not count. Inner layers meter only calls nobody settled, so a request is counted once, or not at all.
     */
    public boolean settled() {
        return !counts || alreadyMetered();
    }

    /** The outer adapter of the HTTP request this call belongs to, if one answers for it. */
    public Optional<Responder> responder() {
        return Optional.ofNullable(responder);
    }
}
