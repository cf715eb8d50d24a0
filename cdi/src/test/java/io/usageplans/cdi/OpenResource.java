package io.usageplans.cdi;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** Not annotated: only the bean it calls is metered. */
@RequestScoped
@Path("/open")
public class OpenResource {

    @Inject
    ReportService reports;

    @Inject
    CurrentUsage usage;

    @GET
    public String open() {
        return "{\"open\":true}";
    }

    @GET
    @Path("/expensive")
    public String expensive() {
        return reports.expensive();
    }

    /** Calls a metered bean, then answers the status it is asked for: the bean's call counts by that status. */
    @GET
    @Path("/daily/{code: [0-9]{3}}")
    public Response daily(@PathParam("code") int code) {
        return Response.status(code).entity(reports.daily()).build();
    }
}
