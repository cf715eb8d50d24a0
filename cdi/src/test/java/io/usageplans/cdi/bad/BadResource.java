package io.usageplans.cdi.bad;

import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Deployed only by the test that expects these annotations to fail the deployment. */
@RequestScoped
@Path("/bad")
public class BadResource {

    @GET
    @UsagePlan("gold")
    public String unknownPlan() {
        return "";
    }

    @GET
    @Path("/throttle")
    @MethodThrottle(rate = 0, burst = 3)
    public String zeroRate() {
        return "";
    }
}
