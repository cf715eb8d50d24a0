package io.usageplans.cdi;

import io.usageplans.Decision;
import io.usageplans.UsagePlanRejectedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Turns a refusal thrown by a metered bean method into the gateway's 403/429 response, with Retry-After and RateLimit fields. */
@Provider
public class UsagePlanExceptionMapper implements ExceptionMapper<UsagePlanRejectedException> {

    @Override
    public Response toResponse(UsagePlanRejectedException exception) {
        return response(exception.decision());
    }

    static Response response(Decision decision) {
        Response.ResponseBuilder response = Response.status(decision.outcome().status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(decision.outcome().jsonBody());
        if (decision.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
        }
        if (decision.metered()) {
            response.header("RateLimit-Policy", decision.rateLimitPolicy());
            response.header("RateLimit", decision.rateLimit());
        }
        return response.build();
    }
}
