package io.usageplans.cdi;

import io.usageplans.Decision;
import io.usageplans.ResponseSettings;
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
        ResponseSettings.Rendered rendered = decision.rejection();
        Response.ResponseBuilder response = Response.status(rendered.status());
        if (rendered.contentType() != null) {
            response.type(MediaType.valueOf(rendered.contentType())).entity(rendered.body());
        }
        if (decision.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
        }
        if (decision.sendsRateLimitFields()) {
            response.header("RateLimit-Policy", decision.rateLimitPolicy());
            response.header("RateLimit", decision.rateLimit());
        }
        rendered.headers().forEach(response::header);
        return response.build();
    }
}
