package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** No bean-defining annotation: CDI does not discover it, so the JAX-RS feature meters it. */
@Path("/plain")
@UsagePlan("premium")
public class PlainResource {

    @GET
    public String get() {
        return "{\"plain\":true}";
    }
}
