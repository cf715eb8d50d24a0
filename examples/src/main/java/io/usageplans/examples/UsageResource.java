package io.usageplans.examples;

import io.usageplans.annotation.UsagePlan;
import io.usageplans.cdi.CurrentUsage;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Shows callers their own usage: plan, tokens left, quota left and when it resets. This call counts too. */
@RequestScoped
@Path("/usage")
@UsagePlan
public class UsageResource {

    @Inject
    CurrentUsage usage;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String usage() {
        return "{\"key\":\"" + usage.keyName().orElse("") + "\""
                + ",\"plan\":\"" + usage.plan().orElse("") + "\""
                + ",\"throttleRemaining\":" + usage.throttleRemaining().map(String::valueOf).orElse("null")
                + ",\"quotaLimit\":" + usage.quotaLimit().map(String::valueOf).orElse("null")
                + ",\"quotaRemaining\":" + usage.quotaRemaining().map(String::valueOf).orElse("null")
                + ",\"quotaResetsAt\":" + usage.quotaResetsAt().map(i -> "\"" + i + "\"").orElse("null") + "}";
    }
}
