package io.usageplans.admin;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.servlet.UsagePlansBootstrap;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * What every admin resource starts with: is this our application, is the admin on, the application's engine, and
 * the request body read within limits.
 */
abstract class AdminResource {

    @Context
    ServletContext servletContext;
    @Context
    Configuration configuration;
    @Context
    HttpHeaders headers;
    @Context
    UriInfo uriInfo;
    @Context
    SecurityContext security;

    /**
     * The admin of the engine this application runs (see {@link UsagePlansBootstrap#running}).
     *
     * @throws NotFoundException when another application serves this resource, or the admin is off
     * @throws AdminException    (400) when a query parameter is given more than once
     */
    UsagePlansAdmin admin() {
        return engine().admin().actingAs(actor());
    }

    /** Who is calling, as the audit log names them: the signed-in user in the admin role, else the token's holder. */
    String actor() {
        if (security != null && security.getUserPrincipal() != null
                && security.isUserInRole(AdminSettings.of(servletContext).role())) {
            return "user '" + security.getUserPrincipal().getName() + "'";
        }
        return "the admin token";
    }

    /**
     * A whole-number query parameter from {@code min} to {@code max}; {@code otherwise} when it is absent.
     *
     * @throws AdminException (400) naming the parameter and value when it is not such a number
     */
    static int intParameter(String name, String text, int min, int max, int otherwise) {
        if (text == null) {
            return otherwise;
        }
        if (!text.matches("-?[0-9]{1,200}")) {
            throw new AdminException(Kind.INVALID, name, text, name + " must be a whole number from " + min + " to "
                    + max + ", was '" + text + "'");
        }
        long value = text.length() > 12 ? (text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE) : Long.parseLong(text);
        if (value < min || value > max) {
            throw new AdminException(Kind.INVALID, name, text, name + " must be from " + min + " to " + max
                    + ", was " + text);
        }
        return (int) value;
    }

    /** The engine the filter (or the CDI start-up) put in the servlet context, checked as {@link #admin()} is. */
    UsagePlans engine() {
        if (!UsagePlansAdminApplication.serves(configuration) || !AdminSettings.of(servletContext).enabled()) {
            throw new NotFoundException();
        }
        for (Map.Entry<String, List<String>> parameter : uriInfo.getQueryParameters().entrySet()) {
            if (parameter.getValue().size() > 1) { // which one counts would be a guess
                throw new AdminException(Kind.INVALID, parameter.getKey(), null, "the query parameter '"
                        + parameter.getKey() + "' is given " + parameter.getValue().size() + " times; give it once");
            }
        }
        return UsagePlansBootstrap.running(servletContext)
                .orElseThrow(() -> new ServiceUnavailableException("the usage-plans engine is not running in this "
                        + "application: no UsagePlanFilter (or CDI start-up) has put it in the servlet context"));
    }

    /** The request's body as text, read within the admin's limits (see {@link RequestBody}). */
    String body(InputStream in) {
        return RequestBody.read(headers, in, AdminSettings.of(servletContext).maxBodyBytes());
    }

    static Response json(Object body) {
        return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Map<String, Object> items(Object list) {
        return Map.of("items", list);
    }
}
