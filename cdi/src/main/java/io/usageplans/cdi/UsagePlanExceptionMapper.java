package io.usageplans.cdi;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.ResponseSettings;
import io.usageplans.UsagePlanRejectedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Turns a refusal thrown by a metered bean method into the gateway's 403/429 response, with Retry-After and RateLimit
 * fields. Where the servlet filter runs in front (the usual case), the filter writes it, so that it is the same
 * response, byte for byte, as the filter's own refusals, custom {@code responses:} included.
 */
@Provider
public class UsagePlanExceptionMapper implements ExceptionMapper<UsagePlanRejectedException> {

    /** The entity of a refusal without a body: an entity all the same, so the server does not write its error page. */
    static final byte[] NO_BODY = new byte[0];

    @Override
    public Response toResponse(UsagePlanRejectedException exception) {
        return response(exception.decision());
    }

    static Response response(Decision decision) {
        ResponseSettings.Rendered rendered = decision.rejection();
        MeteringContext.Responder responder = MeteringContext.current().flatMap(MeteringContext::responder).orElse(null);
        if (responder != null && responder.refuse(decision)) {
            // written and committed by the filter; JAX-RS only ends the call, with nothing left to write
            return Response.status(rendered.status()).build();
        }
        // no servlet filter in front: the same status, fields and bytes, written by JAX-RS
        Response.ResponseBuilder response = Response.status(rendered.status());
        decision.refusalHeaders().forEach(response::header);
        if (rendered.contentTypeField() != null) {
            response.header("Content-Type", rendered.contentTypeField()).entity(rendered.bodyBytes());
        } else {
            response.entity(NO_BODY);
        }
        return response.build();
    }
}
