package io.usageplans.cdi;

import io.usageplans.Decision;
import io.usageplans.MeteringContext;
import io.usageplans.UsagePlans;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Meters one JAX-RS resource method by its route id, unless the servlet filter already metered the request;
 * answers refusals with the same 403/429 responses, and adds the RateLimit fields to allowed responses.
 */
final class MeteringRequestFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final String DECISION = MeteringRequestFilter.class.getName() + ".decision";
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
        if (context != null && context.alreadyMetered()) {
            return;
        }
        String key = context != null && context.fromRequest() ? context.apiKey() : request.getHeaderString("x-api-key");
        Decision decision = engine.decideRoute(key, routeId);
        if (!decision.passes()) {
            request.abortWith(UsagePlanExceptionMapper.response(decision));
            return;
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
    }
}
