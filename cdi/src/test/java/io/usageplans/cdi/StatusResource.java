package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Answers the status it is asked for, to see which statuses count; not a CDI bean. */
@Path("/status")
@UsagePlan
public class StatusResource {

    @GET
    @Path("/{code: [0-9]{3}}")
    public Response answer(@PathParam("code") int code) {
        return Response.status(code).entity("{\"status\":" + code + "}").type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
