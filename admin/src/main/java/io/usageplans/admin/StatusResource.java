package io.usageplans.admin;

import java.time.LocalDate;
import java.time.ZoneOffset;

import io.usageplans.UsagePlans;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The engine at a glance ({@code GET status}): its stage, switch, store and the date on its clock. */
@Path("status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource extends AdminResource {

    @GET
    public Response status() {
        UsagePlans engine = engine();
        return json(Json.object().put("stage", engine.stage()).put("enabled", engine.enabled())
                .put("store", engine.store().getClass().getSimpleName())
                .put("today", LocalDate.ofInstant(engine.clock().instant(), ZoneOffset.UTC)));
    }
}
