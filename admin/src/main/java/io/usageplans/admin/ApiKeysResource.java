package io.usageplans.admin;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.CreatedKey;
import io.usageplans.manage.UsagePlansAdmin;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * API keys, at AWS's paths: list, get, create (CreateApiKey, the generated value shown once), import from CSV
 * (ImportApiKeys, {@code ?mode=import&format=csv}), update (UpdateApiKey), rotate and delete. Values are shown
 * masked, except in the answer that creates or rotates them.
 */
@Path("apikeys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeysResource extends AdminResource {

    /** How long a rotated key's old value stays valid when the request does not say: a day, for clients to switch. */
    public static final long DEFAULT_GRACE_SECONDS = 86_400;

    /** The longest grace period: a year. */
    public static final long MAX_GRACE_SECONDS = 366L * 86_400;

    static final String CSV = "text/csv";
    /** Keys on a page when {@code limit} is not given. */
    public static final int DEFAULT_PAGE = 50;
    /** The most keys on one page. */
    public static final int MAX_PAGE = 500;
    /** The longest search text. */
    static final int MAX_QUERY = 200;

    private static final Set<String> CREATE_FIELDS = Set.of("name", "description", "enabled", "usagePlanIds");
    private static final Set<String> UPDATE_FIELDS = Set.of("enabled", "description", "usagePlanIds", "patchOperations");

    /**
     * GetApiKeys. With none of {@code q}, {@code offset} and {@code limit}: every key, as before paging existed. With
     * any: one page of the keys whose name or description contains {@code q} (any case), in name order, from
     * {@code offset} (default 0), at most {@code limit} (default {@value #DEFAULT_PAGE}, 1 to {@value #MAX_PAGE}),
     * with {@code total}, the number of keys that match.
     */
    @GET
    public Response list(@QueryParam("q") String q, @QueryParam("offset") String offsetText,
                         @QueryParam("limit") String limitText) {
        UsagePlansAdmin admin = admin();
        if (q == null && offsetText == null && limitText == null) {
            List<Object> keys = new ArrayList<>();
            for (ApiKey key : admin.keys()) {
                keys.add(keyJson(key, key.hint()));
            }
            return json(items(keys));
        }
        int offset = intParameter("offset", offsetText, 0, Integer.MAX_VALUE, 0);
        int limit = intParameter("limit", limitText, 1, MAX_PAGE, DEFAULT_PAGE);
        if (q != null && q.length() > MAX_QUERY) {
            throw new AdminException(Kind.INVALID, "q", q, "q has at most " + MAX_QUERY + " characters, this one " + q.length());
        }
        String query = q == null ? "" : q.strip().toLowerCase(Locale.ROOT);
        List<ApiKey> matching = admin.keys().stream()
                .filter(k -> query.isEmpty() || k.name().toLowerCase(Locale.ROOT).contains(query)
                        || (k.description() != null && k.description().toLowerCase(Locale.ROOT).contains(query)))
                .sorted(Comparator.comparing(ApiKey::name)).toList();
        List<Object> page = matching.stream().skip(offset).limit(limit).map(k -> (Object) keyJson(k, k.hint())).toList();
        return json(Json.object().put("items", page).put("total", matching.size()).put("offset", offset)
                .put("limit", limit).put("q", q == null ? "" : q));
    }

    @GET
    @Path("{keyId}")
    public Response get(@PathParam("keyId") String name) {
        ApiKey key = admin().key(name);
        return json(keyJson(key, key.hint()));
    }

    /** CreateApiKey: {@code {"name","description","enabled","usagePlanIds"}}; 201 with the generated value, shown only here. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@QueryParam("mode") String mode, InputStream in) {
        UsagePlansAdmin admin = admin();
        String body = body(in);
        if (mode != null) {
            throw new AdminException(Kind.INVALID, "mode", mode, "an import (mode=import) takes the CSV as Content-Type text/csv");
        }
        JsonRequest request = JsonRequest.parse(body, false, CREATE_FIELDS);
        Boolean enabled = request.bool("enabled");
        CreatedKey created = admin.createKey(request.string("name"), request.string("description"),
                enabled == null || enabled, request.strings("usagePlanIds"));
        return Response.created(location(created.key().name()))
                .entity(Json.write(keyJson(created.key(), created.value()))).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** ImportApiKeys: CSV with the header {@code key,name,description,enabled,usageplanIds}; all rows or none. */
    @POST
    @Consumes(CSV)
    public Response importCsv(@QueryParam("mode") String mode, @QueryParam("format") String format, InputStream in) {
        UsagePlansAdmin admin = admin();
        String csv = body(in);
        if (!"import".equals(mode)) {
            throw new AdminException(Kind.INVALID, "mode", mode, "a CSV is imported with ?mode=import&format=csv "
                    + "(or POST apikeys/import)");
        }
        return importKeys(admin, format, csv);
    }

    @POST
    @Path("import")
    @Consumes(CSV)
    public Response importAt(@QueryParam("format") String format, InputStream in) {
        UsagePlansAdmin admin = admin();
        return importKeys(admin, format, body(in));
    }

    private Response importKeys(UsagePlansAdmin admin, String format, String csv) {
        if (format != null && !format.equalsIgnoreCase("csv")) {
            throw new AdminException(Kind.INVALID, "format", format, "the only import format is csv");
        }
        List<String> ids = admin.importCsv(csv).stream().map(ApiKey::name).toList();
        return Response.status(Response.Status.CREATED)
                .entity(Json.write(Json.object().put("ids", ids).put("warnings", List.of())))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * UpdateApiKey: any of {@code {"enabled","description","usagePlanIds"}}, or AWS's patchOperations
     * ({@code replace /enabled}, {@code replace /description}). Every value is checked before anything changes.
     */
    @PATCH
    @Path("{keyId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("keyId") String name, InputStream in) {
        UsagePlansAdmin admin = admin();
        JsonRequest request = JsonRequest.parse(body(in), false, UPDATE_FIELDS);
        Boolean enabled = request.bool("enabled");
        String description = request.has("description") ? nonNull(request.string("description"), "description") : null;
        List<String> plans = request.strings("usagePlanIds");
        List<Map<?, ?>> operations = request.objects("patchOperations");
        if (operations != null) {
            for (int i = 0; i < operations.size(); i++) {
                PatchOperation op = PatchOperation.of(operations.get(i), i, Set.of("/enabled", "/description"));
                if (op.path().equals("/enabled")) {
                    enabled = nonNull(JsonRequest.asBoolean(op.valueField(), op.value()), op.valueField());
                } else {
                    description = nonNull(JsonRequest.asString(op.valueField(), op.value()), op.valueField());
                }
            }
        }
        if (enabled == null && description == null && plans == null) {
            throw new AdminException(Kind.INVALID, "body", null, "nothing to change; send enabled, description, "
                    + "usagePlanIds or patchOperations");
        }
        admin.key(name);
        // the change most likely refused (an unknown plan) first, so a refusal leaves the key as it was
        ApiKey key = null;
        if (plans != null) {
            key = admin.setPlans(name, plans);
        }
        if (description != null) {
            key = admin.setDescription(name, description);
        }
        if (enabled != null) {
            key = admin.setEnabled(name, enabled);
        }
        return json(keyJson(key, key.hint()));
    }

    /**
     * Gives the key a new generated value, shown in this answer only; the old value stays valid for
     * {@code gracePeriodSeconds} (default {@value #DEFAULT_GRACE_SECONDS}, 0 for not at all).
     */
    @POST
    @Path("{keyId}/rotate")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rotate(@PathParam("keyId") String name, InputStream in) {
        UsagePlansAdmin admin = admin();
        JsonRequest request = JsonRequest.parse(body(in), true, Set.of("gracePeriodSeconds"));
        Long grace = request.number("gracePeriodSeconds");
        if (grace != null && (grace < 0 || grace > MAX_GRACE_SECONDS)) {
            throw new AdminException(Kind.INVALID, "gracePeriodSeconds", grace.toString(), "the grace period must be 0 to "
                    + MAX_GRACE_SECONDS + " seconds (a year)");
        }
        CreatedKey rotated = admin.rotate(name, Duration.ofSeconds(grace == null ? DEFAULT_GRACE_SECONDS : grace));
        return json(keyJson(rotated.key(), rotated.value()));
    }

    @DELETE
    @Path("{keyId}")
    public Response delete(@PathParam("keyId") String name) {
        admin().deleteKey(name);
        return Response.noContent().build();
    }

    private URI location(String name) {
        return uriInfo.getBaseUriBuilder().path(ApiKeysResource.class).path("{keyId}").build(name);
    }

    /** A key as AWS shows it; {@code value} is the masked hint, or the full value just after creation or rotation. */
    static Json.Obj keyJson(ApiKey key, String value) {
        return Json.object().put("id", key.name()).put("name", key.name()).put("description", key.description())
                .put("enabled", key.enabled()).put("value", value).put("usagePlanIds", key.plans())
                .put("previousValidUntil", key.previousValidUntil());
    }

    private static <T> T nonNull(T value, String field) {
        if (value == null) {
            throw new AdminException(Kind.INVALID, field, null, field + " must not be null");
        }
        return value;
    }
}
