package io.usageplans.cdi;

import io.usageplans.annotation.StageThrottle;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** A slow backend all keys share (a stage throttle), and a sign-up without a key (keyless, by client address). */
@RequestScoped
@Path("/crowd")
public class CrowdResource {

    @Inject
    CurrentUsage usage;

    @GET
    @UsagePlan
    @StageThrottle(rate = 1, burst = 2)
    public String slow() {
        return "{\"slow\":true}";
    }

    @POST
    @Path("/join")
    @UsagePlan(keyless = "basic")
    public Response join() {
        return Response.status(201).entity("{\"plan\":\"" + usage.plan().orElse("") + "\",\"key\":\""
                + usage.keyName().orElse("none") + "\"}").build();
    }
}
