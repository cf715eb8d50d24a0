package io.usageplans.cdi;

import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Shows the caller their own usage through the injected service. */
@RequestScoped
@Path("/usage")
@UsagePlan
public class UsageResource {

    @Inject
    CurrentUsage usage;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String usage() {
        return "{\"key\":\"" + usage.keyName().orElse("") + "\",\"plan\":\"" + usage.plan().orElse("")
                + "\",\"throttleRemaining\":" + usage.throttleRemaining().orElse(-1L)
                + ",\"quotaRemaining\":" + usage.quotaRemaining().map(String::valueOf).orElse("null")
                + ",\"quotaResetsAt\":" + usage.quotaResetsAt().map(i -> "\"" + i + "\"").orElse("null") + "}";
    }
}
