package io.usageplans.admin;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.usageplans.ApiStage;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;

/**
 * A plan as AWS's UsagePlan JSON: written for {@code GET usageplans} and read from a CreateUsagePlan body
 * ({@code name, description, throttle, quota, apiStages} and our own {@code id}, {@code enabled} and
 * {@code quota.timeZone}). Every wrong field is a 400 naming the field and the value.
 */
final class PlanJson {

    static final Set<String> CREATE_FIELDS = Set.of("id", "name", "description", "throttle", "quota", "apiStages", "enabled");
    private static final Set<String> THROTTLE_FIELDS = Set.of("rateLimit", "burstLimit");
    private static final Set<String> QUOTA_FIELDS = Set.of("limit", "period", "offset", "timeZone");
    private static final Set<String> STAGE_FIELDS = Set.of("apiId", "stage", "throttle");

    private PlanJson() {
    }

    /** The plan as the API shows it; {@code api} is the catalog's API, each stage's {@code apiId}. */
    static Json.Obj write(Plan plan, String api) {
        List<Object> stages = new ArrayList<>();
        for (ApiStage stage : plan.apiStages()) {
            Map<String, Object> throttles = new LinkedHashMap<>();
            stage.methodThrottles().forEach((key, t) -> throttles.put(key.toString(), throttle(t)));
            stages.add(Json.object().put("apiId", api).put("stage", stage.stage()).put("throttle", throttles));
        }
        return Json.object().put("id", plan.name()).put("name", plan.name()).put("description", plan.description())
                .put("throttle", plan.throttle() == null ? null : throttle(plan.throttle()))
                .put("quota", plan.quota() == null ? null : Json.object().put("limit", plan.quota().limit())
                        .put("period", plan.quota().period()).put("offset", plan.quota().offset())
                        .put("timeZone", plan.quota().timeZone().getId()))
                .put("enabled", plan.enabled())
                .put("apiStages", stages);
    }

    private static Json.Obj throttle(Throttle t) {
        return Json.object().put("rateLimit", t.rateLimit()).put("burstLimit", t.burstLimit());
    }

    /**
     * The plan a CreateUsagePlan body describes. Without {@code apiStages} it applies to {@code stage}, the engine's
     * own, so that it serves the application at once; an {@code apiId} must be {@code api}.
     */
    static Plan read(JsonRequest request, String api, String stage) {
        String name = request.string("name");
        String id = request.string("id");
        if (id != null && !id.equals(name)) {
            throw new AdminException(Kind.INVALID, "id", id, "a plan's id is its name; give only name, or the same value in both");
        }
        if (name == null) {
            throw new AdminException(Kind.INVALID, "name", null, "a plan needs a name");
        }
        Plan.Builder plan = Plan.builder(name).description(request.string("description"));
        Boolean enabled = request.bool("enabled");
        if (enabled != null) {
            plan.enabled(enabled);
        }
        plan.throttle(throttle(object(request.raw("throttle"), "throttle", THROTTLE_FIELDS), "throttle"));
        plan.quota(quota(object(request.raw("quota"), "quota", QUOTA_FIELDS)));
        Object stages = request.raw("apiStages");
        if (stages == null) {
            plan.stage(stage);
        } else if (stages instanceof List<?> list) {
            Set<String> seen = new TreeSet<>();
            for (int i = 0; i < list.size(); i++) {
                ApiStage apiStage = stage(object(list.get(i), "apiStages[" + i + "]", STAGE_FIELDS), "apiStages[" + i + "]", api);
                if (!seen.add(apiStage.stage())) {
                    throw new AdminException(Kind.INVALID, "apiStages[" + i + "].stage", apiStage.stage(), "stage '"
                            + apiStage.stage() + "' is listed twice");
                }
                plan.stage(apiStage);
            }
        } else {
            throw new AdminException(Kind.INVALID, "apiStages", String.valueOf(stages), "apiStages must be a list of "
                    + "{\"apiId\", \"stage\", \"throttle\"}");
        }
        try {
            return plan.build();
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, "name", name, e.getMessage());
        }
    }

    private static ApiStage stage(Map<?, ?> fields, String at, String api) {
        String apiId = JsonRequest.asString(at + ".apiId", fields.get("apiId"));
        if (apiId != null && !apiId.equals(api)) {
            throw new AdminException(Kind.INVALID, at + ".apiId", apiId, "unknown API '" + apiId + "'; this application's API is '"
                    + api + "' (the plan file's api)");
        }
        String stage = JsonRequest.asString(at + ".stage", fields.get("stage"));
        if (stage == null || stage.isBlank()) {
            throw new AdminException(Kind.INVALID, at + ".stage", stage, "an API stage needs its stage, e.g. \"test\"");
        }
        ApiStage result = ApiStage.of(stage);
        Object throttles = fields.get("throttle");
        if (throttles == null) {
            return result;
        }
        if (!(throttles instanceof Map<?, ?> map)) {
            throw new AdminException(Kind.INVALID, at + ".throttle", String.valueOf(throttles), "must be a map from method "
                    + "keys (like \"/pets/{petId}/GET\") to {\"rateLimit\", \"burstLimit\"}");
        }
        Set<MethodKey> seen = new java.util.HashSet<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            String entry = at + ".throttle[\"" + key + "\"]";
            MethodKey method;
            try {
                method = MethodKey.parse(key);
            } catch (IllegalArgumentException ex) {
                throw new AdminException(Kind.INVALID, entry, key, ex.getMessage());
            }
            if (!seen.add(method)) {
                throw new AdminException(Kind.INVALID, entry, key, "method '" + key + "' is listed twice");
            }
            Throttle t = throttle(object(e.getValue(), entry, THROTTLE_FIELDS), entry);
            if (t == null) {
                throw new AdminException(Kind.INVALID, entry, null, "a method throttle needs rateLimit and burstLimit");
            }
            result = result.withMethodThrottle(key, t);
        }
        return result;
    }

    private static Throttle throttle(Map<?, ?> fields, String at) {
        if (fields == null) {
            return null;
        }
        Object rateValue = fields.get("rateLimit");
        Long burst = JsonRequest.asNumber(at + ".burstLimit", fields.get("burstLimit"));
        if (rateValue == null || burst == null) {
            throw new AdminException(Kind.INVALID, at + (rateValue == null ? ".rateLimit" : ".burstLimit"), null,
                    "a throttle needs rateLimit (requests per second) and burstLimit (requests at once)");
        }
        String rateText = JsonRequest.asString(at + ".rateLimit", rateValue).trim();
        if (!rateText.matches("[0-9]{1,12}(\\.[0-9]{1,12})?")) {
            throw new AdminException(Kind.INVALID, at + ".rateLimit", rateText, "rateLimit must be a number of requests per "
                    + "second from 0.001 to 999999999999, was " + rateText);
        }
        if (burst < 1 || burst > Integer.MAX_VALUE) {
            throw new AdminException(Kind.INVALID, at + ".burstLimit", burst.toString(), "burstLimit must be a whole number "
                    + "from 1 to " + Integer.MAX_VALUE + ", was " + burst);
        }
        try {
            return new Throttle(Double.parseDouble(rateText), burst.intValue());
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, at + ".rateLimit", rateText, e.getMessage());
        }
    }

    private static Quota quota(Map<?, ?> fields) {
        if (fields == null) {
            return null;
        }
        Long limit = JsonRequest.asNumber("quota.limit", fields.get("limit"));
        String periodText = JsonRequest.asString("quota.period", fields.get("period"));
        if (limit == null || periodText == null) {
            throw new AdminException(Kind.INVALID, limit == null ? "quota.limit" : "quota.period", null,
                    "a quota needs limit (requests per period) and period (DAY, WEEK or MONTH)");
        }
        if (limit < 1) {
            throw new AdminException(Kind.INVALID, "quota.limit", limit.toString(), "quota.limit must be a whole number of at "
                    + "least 1, was " + limit);
        }
        QuotaPeriod period;
        try {
            period = QuotaPeriod.valueOf(periodText.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, "quota.period", periodText, "quota.period must be DAY, WEEK or MONTH, was '"
                    + periodText + "'");
        }
        Long offset = JsonRequest.asNumber("quota.offset", fields.get("offset"));
        if (offset != null && (offset < 0 || offset > period.maxOffset())) {
            throw new AdminException(Kind.INVALID, "quota.offset", offset.toString(), "quota.offset for period " + period
                    + " must be " + (period.maxOffset() == 0 ? "0" : "from 0 to " + period.maxOffset()) + ", was " + offset);
        }
        String zoneText = JsonRequest.asString("quota.timeZone", fields.get("timeZone"));
        ZoneId zone = null;
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText.trim());
            } catch (DateTimeException e) {
                throw new AdminException(Kind.INVALID, "quota.timeZone", zoneText, "quota.timeZone must be a zone ID such as "
                        + "UTC or Europe/Berlin, was '" + zoneText + "'");
            }
        }
        return new Quota(limit, period, offset == null ? 0 : offset.intValue(), zone);
    }

    /** A JSON object with only {@code allowed} fields, or null for null. */
    private static Map<?, ?> object(Object value, String at, Set<String> allowed) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new AdminException(Kind.INVALID, at, String.valueOf(value), at + " must be an object with the fields "
                    + new TreeSet<>(allowed));
        }
        for (Object name : map.keySet()) {
            if (!allowed.contains(String.valueOf(name))) {
                throw new AdminException(Kind.INVALID, at + "." + name, null, "unknown field '" + Problem.shorten(String.valueOf(name), 100)
                        + "' in " + at + "; the fields are " + new TreeSet<>(allowed));
            }
        }
        return map;
    }
}
