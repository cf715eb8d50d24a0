package io.usageplans.admin;

import io.usageplans.manage.AdminException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Turns every failure of the admin API into a problem+json response: refusals of the core with their field and
 * value, the runtime's own 404/405/415/406, and anything unexpected as a 500 that shows no stack trace (the log has it).
 */
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final System.Logger LOG = System.getLogger(ProblemMapper.class.getName());

    @Context
    private HttpHeaders headers;
    @Context
    private Request request;

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof AdminException e) {
            return Problem.response(e.kind().status(), e.getMessage(), apiField(e.field()), e.value(), e.rows()).build();
        }
        if (failure instanceof WebApplicationException e && (e.getResponse().getStatus() < 500 || e.getResponse().getStatus() == 503)) {
            Response original = e.getResponse();
            int status = original.getStatus();
            Response.ResponseBuilder problem = Problem.response(status, detail(status, e.getMessage(), original));
            for (String header : new String[] {"Allow", "WWW-Authenticate", "Retry-After"}) {
                if (original.getHeaderString(header) != null) {
                    problem.header(header, original.getHeaderString(header));
                }
            }
            return problem.build();
        }
        LOG.log(System.Logger.Level.ERROR, "usage-plans admin: " + request.getMethod() + " failed", failure);
        return Problem.response(500, "the request failed on the server; its log has the details").build();
    }

    /** The core's name of a field as this API calls it (its JSON fields follow AWS's). */
    private static String apiField(String field) {
        return "plans".equals(field) ? "usagePlanIds" : field;
    }

    private String detail(int status, String message, Response original) {
        if (message != null && !message.startsWith("HTTP " + status)) {
            return message; // written for people by this module
        }
        return switch (status) {
            case 404 -> "no admin resource at this path";
            case 405 -> request.getMethod() + " is not allowed here; allowed: " + original.getHeaderString("Allow");
            case 415 -> "Content-Type " + (headers.getMediaType() == null ? "(none)" : headers.getMediaType())
                    + " is not accepted here; " + ContentTypeFilter.ACCEPTED;
            case 406 -> "this resource answers application/json only (a usage export also text/csv)";
            default -> message;
        };
    }
}
