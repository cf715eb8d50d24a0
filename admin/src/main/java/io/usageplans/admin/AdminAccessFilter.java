package io.usageplans.admin;

import jakarta.servlet.ServletContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;

/**
 * Who may call the admin API, checked before any resource is matched: a user the container authenticated in the
 * admin role, else a caller presenting the admin token as {@code Authorization: Bearer}. Everyone else gets 401 (no
 * or wrong credentials) or 403 (authenticated, without the role), never data; with the admin off, every URL is 404.
 * Responses are marked {@code no-store}: they carry keys and usage.
 */
@PreMatching
public class AdminAccessFilter implements ContainerRequestFilter, ContainerResponseFilter {

    static final String CHALLENGE = "Bearer realm=\"usage-plans\"";

    @Context
    private ServletContext servletContext;
    @Context
    private Configuration configuration;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!UsagePlansAdminApplication.serves(configuration)) {
            return; // registered by another application: not ours to guard
        }
        AdminSettings settings = AdminSettings.of(servletContext);
        if (!settings.enabled()) {
            request.abortWith(Problem.response(404, null).build());
            return;
        }
        SecurityContext security = request.getSecurityContext();
        if (security != null && security.isUserInRole(settings.role())) {
            return;
        }
        String bearer = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (bearer != null && settings.tokenMatches(bearer)) {
            return;
        }
        if (security != null && security.getUserPrincipal() != null) {
            request.abortWith(Problem.response(403, "the signed-in user does not have the role '" + settings.role()
                    + "' that the usage-plans admin API needs").build());
            return;
        }
        request.abortWith(Problem.response(401, bearer == null
                        ? "the usage-plans admin API needs the admin token (Authorization: Bearer ...) or a user in its role"
                        : "the bearer token is not the admin token")
                .header(HttpHeaders.WWW_AUTHENTICATE, bearer == null ? CHALLENGE : CHALLENGE + ", error=\"invalid_token\"")
                .build());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (UsagePlansAdminApplication.serves(configuration)) {
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
            response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
        }
    }

    /** The token of an {@code Authorization: Bearer <token>} header, else null. */
    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
