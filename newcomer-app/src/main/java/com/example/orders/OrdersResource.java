package com.example.orders;

import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Orders: reading needs a key on any plan of the stage, creating one a key on the pro plan. */
@Path("/orders")
@RequestScoped
@UsagePlan
@Produces(MediaType.APPLICATION_JSON)
public class OrdersResource {

    @GET
    public String list() {
        return "[{\"id\":1,\"item\":\"coffee\",\"quantity\":2},{\"id\":2,\"item\":\"tea\",\"quantity\":1}]";
    }

    @GET
    @Path("/{id}")
    public String get(@PathParam("id") long id) {
        return "{\"id\":" + id + ",\"item\":\"coffee\",\"quantity\":2}";
    }

    @POST
    @UsagePlan("pro")
    public Response create(String body) {
        return Response.status(Response.Status.CREATED).entity("{\"id\":3,\"status\":\"created\"}").build();
    }
}
