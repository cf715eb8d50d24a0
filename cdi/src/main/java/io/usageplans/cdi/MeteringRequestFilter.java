package io.usageplans.cdi;

import java.io.IOException;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.UsagePlans;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;

/**
 * Meters one JAX-RS resource method by its route id, unless the servlet filter settled the request (metered it, or a
 * skip/only condition says it does not count); answers refusals as the filter does, and adds the RateLimit fields to
 * allowed responses. The servlet filter completes this layer's decision with the final status; without one in front,
 * the response filter does.
 */
final class MeteringRequestFilter implements ContainerRequestFilter, ContainerResponseFilter, WriterInterceptor {

    private static final String DECISION = MeteringRequestFilter.class.getName() + ".decision";
    private static final String COMPLETE = MeteringRequestFilter.class.getName() + ".complete";
    private static final String PREVIOUS = MeteringRequestFilter.class.getName() + ".previous";

    private final UsagePlans engine;
    private final String routeId;

    MeteringRequestFilter(UsagePlans engine, String routeId) {
        this.engine = engine;
        this.routeId = routeId;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        MeteringContext context = MeteringContext.current().orElse(null);
        if (context != null && context.settled()) {
            return;
        }
        String key = context != null && context.fromRequest() ? context.apiKey() : headerKey(request);
        Decision decision = engine.decideRoute(key, context == null ? null : context.clientAddress(), routeId);
        if (!decision.passes()) {
            request.abortWith(UsagePlanExceptionMapper.response(decision));
            return;
        }
        if (decision.metered()) {
            MeteringContext.Responder responder = context == null ? null : context.responder().orElse(null);
            if (responder != null) {
                responder.completeWithResponse(decision);
            } else {
                request.setProperty(COMPLETE, decision);
            }
        }
        request.setProperty(DECISION, decision);
        request.setProperty(PREVIOUS, new Object[] {MeteringContext.enterMetered(decision)});
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object decision = request.getProperty(DECISION);
        if (decision instanceof Decision d && d.sendsRateLimitFields()) {
            response.getHeaders().putSingle("RateLimit-Policy", d.rateLimitPolicy());
            response.getHeaders().putSingle("RateLimit", d.rateLimit());
        }
        if (request.getProperty(PREVIOUS) instanceof Object[] previous) {
            MeteringContext.restore((MeteringContext) previous[0]);
            request.removeProperty(PREVIOUS);
        }
        if (request.getProperty(COMPLETE) instanceof Decision toComplete) {
            // no servlet filter in front to see the final status: this is the last status JAX-RS knows
            engine.complete(toComplete, response.getStatus());
            request.removeProperty(COMPLETE);
        }
    }

    /** A refusal without a body (a custom empty response) has no content type, as the servlet filter writes it. */
    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        if (context.getEntity() == UsagePlanExceptionMapper.NO_BODY) {
            context.getHeaders().remove("Content-Type");
        }
        context.proceed();
    }

    /**
     * The {@code x-api-key} header when no servlet filter resolved the key: as the filter's header source does, several
     * headers with different values are {@link io.usageplans.UsagePlans#SEVERAL_KEYS}, refused with 403.
     */
    private static String headerKey(ContainerRequestContext request) {
        java.util.List<String> values = request.getHeaders().get("x-api-key");
        if (values == null || values.isEmpty()) {
            return null;
        }
        String first = values.get(0);
        for (String value : values) {
            if (!java.util.Objects.equals(first, value)) {
                return io.usageplans.UsagePlans.SEVERAL_KEYS;
            }
        }
        return first;
    }
}
