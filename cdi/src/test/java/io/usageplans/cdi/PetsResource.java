package io.usageplans.cdi;

import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.Unmetered;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The tutorial's resource as a user writes it with the annotations. */
@RequestScoped
@Path("/pets")
@UsagePlan
@Produces(MediaType.APPLICATION_JSON)
public class PetsResource {

    @Inject
    ReportService reports;

    @GET
    public String list() {
        return "[{\"id\":1}]";
    }

    @GET
    @Path("/{petId: [0-9]+}")
    @MethodThrottle(rate = 1, burst = 3)
    public String get(@PathParam("petId") long petId) {
        return "{\"id\":" + petId + "}";
    }

    @POST
    public String add() {
        return "{\"message\":\"success\"}";
    }

    @GET
    @Path("/export")
    @UsagePlan("premium")
    public String export() {
        return "[]";
    }

    @GET
    @Path("/health")
    @Unmetered
    public String health() {
        return "{\"status\":\"UP\"}";
    }

    /** Crosses the filter, JAX-RS and an intercepted bean: still counted once. */
    @GET
    @Path("/report")
    public String report() {
        return reports.daily();
    }

    @Path("/owners/{owner}")
    public OwnerResource owner() {
        return new OwnerResource();
    }
}
