package io.usageplans;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The API key and decision of the call running on this thread: set by the filter around the application, or by
 * {@link #withKey} for work no request carries (a scheduled job, a message listener). Interceptors read it to
 * meter bean methods against the right key, and to count a request once.
 */
public final class MeteringContext {

    private static final ThreadLocal<MeteringContext> CURRENT = new ThreadLocal<>();

    private final String apiKey;
    private final Decision decision;
    private final boolean request;

    private MeteringContext(String apiKey, Decision decision, boolean request) {
        this.apiKey = apiKey;
        this.decision = decision;
        this.request = request;
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
        CURRENT.set(new MeteringContext(apiKey, null, false));
        try {
            return call.call();
        } finally {
            restore(previous);
        }
    }

    /** {@link #withKey(String, Callable)} for calls that return nothing and throw no checked exception. */
    public static void runWithKey(String apiKey, Runnable call) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, null, false));
        try {
            call.run();
        } finally {
            restore(previous);
        }
    }

    /** For adapters: marks the start of a request's application code; returns what to {@link #restore} after it. */
    public static MeteringContext enterRequest(String apiKey, Decision decision) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(apiKey, decision, true));
        return previous;
    }

    /**
     * For adapters: marks the call about to run as metered by {@code decision}, so layers inside it (a metered bean
     * called by a metered resource) do not count it again; returns what to {@link #restore} when it returns.
     */
    public static MeteringContext enterMetered(Decision decision) {
        MeteringContext previous = CURRENT.get();
        CURRENT.set(new MeteringContext(previous == null ? null : previous.apiKey, decision,
                previous != null && previous.request));
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
}
