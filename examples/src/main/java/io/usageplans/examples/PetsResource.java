package io.usageplans.examples;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.usageplans.annotation.MethodThrottle;
import io.usageplans.annotation.UsagePlan;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The PetStore of the AWS tutorial. Every method needs a key on any plan of stage {@code test}; reading one pet
 * is throttled per key to 1 per second with bursts of 3; the export is for premium keys only.
 */
@RequestScoped
@Path("/pets")
@UsagePlan
@Produces(MediaType.APPLICATION_JSON)
public class PetsResource {

    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([A-Za-z]{1,20})\"");
    private static final Pattern PRICE = Pattern.compile("\"price\"\\s*:\\s*([0-9]{1,6}(?:\\.[0-9]{1,2})?)");

    @Inject
    PetStore store;

    @GET
    public String list() {
        return "[" + String.join(",", store.all()) + "]";
    }

    @GET
    @Path("/{petId}")
    @MethodThrottle(rate = 1, burst = 3)
    public Response get(@PathParam("petId") String petId) {
        try {
            return store.get(Long.parseLong(petId)).map(pet -> Response.ok(pet).build())
                    .orElseGet(() -> notFound());
        } catch (NumberFormatException e) {
            return notFound();
        }
    }

    @POST
    public Response add(String body) {
        Matcher type = TYPE.matcher(body == null ? "" : body);
        Matcher price = PRICE.matcher(body == null ? "" : body);
        if (!type.find() || !price.find()) {
            return Response.status(400).entity("{\"message\":\"a pet needs a type (letters) and a price, "
                    + "like {\\\"type\\\":\\\"dog\\\",\\\"price\\\":249.99}\"}").build();
        }
        String pet = store.add(type.group(1).toLowerCase(Locale.ROOT), price.group(1));
        return Response.status(201).entity("{\"pet\":" + pet + ",\"message\":\"success\"}").build();
    }

    @GET
    @Path("/export")
    @UsagePlan("premium")
    public String export() {
        return "{\"pets\":[" + String.join(",", store.all()) + "]}";
    }

    private static Response notFound() {
        return Response.status(404).entity("{\"message\":\"Pet not found\"}").build();
    }
}
