package io.usageplans.admin;

import java.util.Map;

import io.usageplans.UsagePlans;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.servlet.UsagePlanFilter;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What every admin resource starts with: is this our application, is the admin on, and the application's engine. */
abstract class AdminResource {

    @Context
    ServletContext servletContext;
    @Context
    Configuration configuration;

    /**
     * The admin of the engine the filter (or the CDI start-up) put in the servlet context.
     *
     * @throws NotFoundException when another application serves this resource, or the admin is off
     */
    UsagePlansAdmin admin() {
        if (!UsagePlansAdminApplication.serves(configuration) || !AdminSettings.of(servletContext).enabled()) {
            throw new NotFoundException();
        }
        if (servletContext.getAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE) instanceof UsagePlans engine) {
            return new UsagePlansAdmin(engine);
        }
        throw new ServiceUnavailableException("the usage-plans engine is not running in this application: "
                + "no UsagePlanFilter (or CDI start-up) has put it in the servlet context");
    }

    static Response json(Object body) {
        return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Map<String, Object> items(Object list) {
        return Map.of("items", list);
    }
}
