package io.usageplans.cdi;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

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
}
