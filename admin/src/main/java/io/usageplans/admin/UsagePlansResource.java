package io.usageplans.admin;

import java.io.InputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.Plan;
import io.usageplans.UsagePlans;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.PlanPatch;
import io.usageplans.manage.QuotaStatus;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.manage.UsageReport;
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
 * Plans, usage reports and quotas, at AWS's paths: {@code GET|POST usageplans}, {@code GET|PATCH|DELETE
 * usageplans/{id}} (GetUsagePlan, CreateUsagePlan, UpdateUsagePlan, DeleteUsagePlan), {@code GET usageplans/{id}/usage}
 * (GetUsage) and {@code GET|PATCH usageplans/{id}/keys/{keyId}/usage} (a key's quota now, and UpdateUsage).
 */
@Path("usageplans")
@Produces(MediaType.APPLICATION_JSON)
public class UsagePlansResource extends AdminResource {

    /** How many keys {@code GET usageplans/{plan}/top} lists. */
    public static final int TOP = 20;

    /** The most patch operations one UpdateUsagePlan takes. */
    public static final int MAX_OPERATIONS = 100;

    private static final Set<String> QUOTA_FIELDS = Set.of("remaining", "extendBy", "reset", "patchOperations");

    @GET
    public Response plans() {
        UsagePlansAdmin admin = admin();
        String api = engine().catalog().api();
        List<Object> plans = new ArrayList<>();
        for (Plan plan : admin.plans()) {
            plans.add(PlanJson.write(plan, api));
        }
        return json(items(plans));
    }

    /** GetUsagePlan: the plan on any stage, as {@code GET usageplans} lists it. */
    @GET
    @Path("{usageplanId}")
    public Response plan(@PathParam("usageplanId") String name) {
        UsagePlansAdmin admin = admin();
        return json(PlanJson.write(admin.plan(name), engine().catalog().api()));
    }

    /**
     * CreateUsagePlan: {@code {"name","description","throttle":{"rateLimit","burstLimit"},"quota":{"limit","period",
     * "offset"},"apiStages":[{"apiId","stage","throttle":{"/pets/GET":{"rateLimit","burstLimit"}}}]}}; without
     * apiStages the plan applies to the engine's stage. 201 with the plan; 409 if one of that name exists.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(InputStream in) {
        UsagePlansAdmin admin = admin();
        JsonRequest request = JsonRequest.parse(body(in), false, PlanJson.CREATE_FIELDS);
        String api = engine().catalog().api();
        Plan plan = admin.createPlan(PlanJson.read(request, api, admin.stage()));
        return Response.created(uriInfo.getBaseUriBuilder().path(UsagePlansResource.class).path("{usageplanId}").build(plan.name()))
                .entity(Json.write(PlanJson.write(plan, api))).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * UpdateUsagePlan: {@code {"patchOperations":[{"op":"replace","path":"/quota/limit","value":"20"}]}} with AWS's
     * paths (see {@link UsagePlansAdmin#updatePlan}); all operations or none. 200 with the plan as it is after.
     */
    @PATCH
    @Path("{usageplanId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("usageplanId") String name, InputStream in) {
        UsagePlansAdmin admin = admin();
        JsonRequest request = JsonRequest.parse(body(in), false, Set.of("patchOperations"));
        List<Map<?, ?>> operations = request.objects("patchOperations");
        if (operations == null || operations.isEmpty()) {
            throw new AdminException(Kind.INVALID, "patchOperations", null, "patchOperations needs at least one operation, "
                    + "e.g. {\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":\"20\"}");
        }
        if (operations.size() > MAX_OPERATIONS) {
            throw new AdminException(Kind.INVALID, "patchOperations", String.valueOf(operations.size()), "at most "
                    + MAX_OPERATIONS + " operations in one request, this one has " + operations.size());
        }
        List<PlanPatch> patches = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            PatchOperation op = PatchOperation.read(operations.get(i), i);
            patches.add(new PlanPatch(op.op(), op.path(), op.text()));
        }
        Plan plan = admin.updatePlan(name, patches);
        return json(PlanJson.write(plan, engine().catalog().api()));
    }

    /** DeleteUsagePlan: 202 as AWS answers; 409 while keys, keyless stage methods or annotated routes use the plan. */
    @DELETE
    @Path("{usageplanId}")
    public Response delete(@PathParam("usageplanId") String name) {
        admin().deletePlan(name);
        return Response.accepted().build();
    }

    /** AWS GetUsage: per key, per UTC day from startDate to endDate, {@code [used, remaining]}. */
    @GET
    @Path("{usageplanId}/usage")
    public Response usage(@PathParam("usageplanId") String plan, @QueryParam("startDate") String startDate,
                          @QueryParam("endDate") String endDate, @QueryParam("keyId") String keyId) {
        UsagePlansAdmin admin = admin();
        LocalDate start = date("startDate", startDate);
        LocalDate end = date("endDate", endDate);
        // checked now, so that a refusal is a whole problem answer; then written key by key, never held whole
        Iterable<UsageReport.KeyDays> keys = admin.usageItems(plan, start, end, keyId == null || keyId.isEmpty() ? null : keyId);
        return Response.ok((jakarta.ws.rs.core.StreamingOutput) out -> {
            java.io.Writer json = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8));
            String head = Json.write(Json.object().put("usagePlanId", plan).put("startDate", start).put("endDate", end));
            json.write(head, 0, head.length() - 1);
            json.write(",\"items\":{");
            boolean first = true;
            for (UsageReport.KeyDays key : keys) {
                if (!first) {
                    json.write(',');
                }
                first = false;
                json.write(Json.write(key.keyId()));
                json.write(':');
                json.write(Json.write(key.days().stream().map(day -> Arrays.asList(day.used(), day.remaining())).toList()));
            }
            json.write("}}");
            json.flush();
        }, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /**
     * The plan's {@value #TOP} keys that used most today (UTC, on the engine's clock), most first (ties in name
     * order), only keys with usage: one pass over the plan's keys that keeps {@value #TOP} at a time.
     */
    @GET
    @Path("{usageplanId}/top")
    public Response top(@PathParam("usageplanId") String plan) {
        UsagePlans engine = engine();
        UsagePlansAdmin admin = admin();
        LocalDate today = LocalDate.ofInstant(engine.clock().instant(), ZoneOffset.UTC);
        Comparator<Object[]> order = Comparator.<Object[]>comparingLong(e -> (Long) e[1])
                .thenComparing(e -> (String) e[0], Comparator.reverseOrder()); // the least first: the one to drop
        PriorityQueue<Object[]> top = new PriorityQueue<>(TOP + 1, order);
        for (UsageReport.KeyDays key : admin.usageByKey(plan, today, today)) {
            UsageReport.Day day = key.days().get(0);
            if (day.used() > 0) {
                top.add(new Object[] {key.keyId(), day.used(), day.remaining()});
                if (top.size() > TOP) {
                    top.poll();
                }
            }
        }
        List<Object[]> most = new ArrayList<>(top);
        most.sort(order.reversed());
        List<Object> items = most.stream().map(e -> (Object) Json.object().put("keyId", e[0]).put("used", e[1])
                .put("remaining", e[2])).toList();
        return json(Json.object().put("usagePlanId", plan).put("date", today).put("items", items));
    }

    @GET
    @Path("{usageplanId}/keys/{keyId}/usage")
    public Response quota(@PathParam("usageplanId") String plan, @PathParam("keyId") String key) {
        UsagePlansAdmin admin = admin();
        subscribed(admin, plan, key);
        return json(quotaJson(admin.quota(plan, key)));
    }

    /**
     * AWS UpdateUsage, {@code {"patchOperations":[{"op":"replace","path":"/remaining","value":"50"}]}}, or one of
     * {@code {"remaining":50}}, {@code {"extendBy":5}}, {@code {"reset":true}}; answers the quota as it is after.
     */
    @PATCH
    @Path("{usageplanId}/keys/{keyId}/usage")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response updateQuota(@PathParam("usageplanId") String plan, @PathParam("keyId") String key, InputStream in) {
        UsagePlansAdmin admin = admin();
        JsonRequest request = JsonRequest.parse(body(in), false, QUOTA_FIELDS);
        if (request.isEmpty() || request.fieldsCount() > 1) {
            throw new AdminException(Kind.INVALID, "body", null, "send one of {\"remaining\": n}, {\"extendBy\": n}, "
                    + "{\"reset\": true} or {\"patchOperations\": [{\"op\": \"replace\", \"path\": \"/remaining\", \"value\": \"n\"}]}");
        }
        subscribed(admin, plan, key);
        QuotaStatus status;
        if (request.has("remaining")) {
            status = admin.setRemaining(plan, key, required(request.number("remaining"), "remaining"));
        } else if (request.has("extendBy")) {
            status = admin.extendRemaining(plan, key, required(request.number("extendBy"), "extendBy"));
        } else if (request.has("reset")) {
            if (!Boolean.TRUE.equals(request.bool("reset"))) {
                throw new AdminException(Kind.INVALID, "reset", String.valueOf(request.raw("reset")), "reset takes true");
            }
            status = admin.resetQuota(plan, key);
        } else {
            List<Map<?, ?>> operations = request.objects("patchOperations");
            if (operations == null || operations.isEmpty()) {
                throw new AdminException(Kind.INVALID, "patchOperations", null, "patchOperations needs one operation");
            }
            status = null;
            for (int i = 0; i < operations.size(); i++) {
                PatchOperation op = PatchOperation.of(operations.get(i), i, Set.of("/remaining"));
                status = admin.setRemaining(plan, key, required(JsonRequest.asNumber(op.valueField(), op.value()), op.valueField()));
            }
        }
        return json(quotaJson(status));
    }

    static Json.Obj quotaJson(QuotaStatus status) {
        return Json.object().put("usagePlanId", status.plan()).put("keyId", status.key()).put("limit", status.limit())
                .put("used", status.used()).put("remaining", status.remaining()).put("period", status.period())
                .put("periodStart", status.periodStart()).put("periodEnd", status.periodEnd());
    }

    /** A key's quota is read and changed only on a plan it is subscribed to, as AWS's usage plan keys. */
    private static void subscribed(UsagePlansAdmin admin, String plan, String keyName) {
        List<String> plans = admin.plans().stream().map(Plan::name).toList();
        if (!plans.contains(plan)) {
            throw new AdminException(Kind.NOT_FOUND, "usagePlanId", plan, "no plan named '" + plan + "' on stage '"
                    + admin.stage() + "'; the plans are " + plans);
        }
        ApiKey key = admin.key(keyName);
        if (!key.plans().contains(plan)) {
            throw new AdminException(Kind.NOT_FOUND, "keyId", keyName, "key '" + keyName + "' is not on plan '" + plan
                    + "'; its plans are " + key.plans());
        }
    }

    static LocalDate date(String field, String text) {
        if (text == null || text.isEmpty()) {
            return null; // the core says which one is required
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new AdminException(Kind.INVALID, field, text, field + " must be a date as YYYY-MM-DD, was '" + text + "'");
        }
    }

    private static long required(Long value, String field) {
        if (value == null) {
            throw new AdminException(Kind.INVALID, field, null, field + " needs a whole number");
        }
        return value;
    }
}
