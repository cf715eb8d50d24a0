package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** A sub-resource reached through a locator; its own annotation applies. */
@UsagePlan("premium")
public class OwnerResource {

    @GET
    @Path("/pets")
    public String pets() {
        return "[]";
    }
}
