package io.usageplans.examples;

import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Sign-up, before the caller has a key: metered without one, each client address on its own, under the plan
 * {@code signup} (5 per minute, bursts of 5).
 */
@RequestScoped
@Path("/signup")
@Produces(MediaType.APPLICATION_JSON)
public class SignupResource {

    @POST
    @UsagePlan(keyless = "signup")
    public Response signUp() {
        return Response.status(201).entity("{\"message\":\"signed up\"}").build();
    }
}
