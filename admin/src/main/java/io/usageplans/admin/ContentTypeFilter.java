package io.usageplans.admin;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * Refuses a {@code Content-Type} that names no one type (malformed, repeated, or a wildcard such as {@code *}{@code /*})
 * with 415 before any resource is matched: the runtime would answer the first with an empty 400 and match the others
 * to any method. A body without a type is refused where it is read ({@link RequestBody}).
 */
@PreMatching
@Priority(Priorities.USER + 100) // after AdminAccessFilter: callers without the token learn nothing here
public class ContentTypeFilter implements ContainerRequestFilter {

    static final String ACCEPTED = "send application/json, or text/csv for an import";

    @Context
    private Configuration configuration;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (header == null || !UsagePlansAdminApplication.serves(configuration)) {
            return;
        }
        MediaType type;
        try {
            type = MediaType.valueOf(header);
        } catch (IllegalArgumentException e) {
            request.abortWith(Problem.response(415, "Content-Type '" + Problem.shorten(header, 100) + "' is not a media type; "
                    + ACCEPTED).build());
            return;
        }
        if (type.isWildcardType() || type.isWildcardSubtype()) {
            request.abortWith(Problem.response(415, "Content-Type " + type + " names no one type; " + ACCEPTED).build());
        }
    }
}
