package io.usageplans.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.DecisionCounters;
import io.usageplans.Plan;
import io.usageplans.UsagePlans;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What this member decided since it started ({@code GET stats}). */
@Path("stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource extends AdminResource {

    private static final List<Outcome> REPORTED = List.of(Outcome.ALLOWED, Outcome.THROTTLED, Outcome.QUOTA_EXCEEDED,
            Outcome.FORBIDDEN, Outcome.UNAVAILABLE);

    /** Counters of this member since it started: per plan by outcome, rejections per key, forbidden requests by reason. */
    @GET
    public Response stats() {
        UsagePlans engine = engine();
        DecisionCounters counters = engine.counters();
        Map<String, Map<Outcome, Long>> byPlan = counters.byPlan();
        Map<String, Object> plans = new LinkedHashMap<>();
        for (Plan plan : engine.admin().plans()) {
            plans.put(plan.name(), outcomes(byPlan.getOrDefault(plan.name(), Map.of()), true));
        }
        byPlan.forEach((plan, counts) -> plans.putIfAbsent(plan, outcomes(counts, true)));
        Map<String, Object> keys = new LinkedHashMap<>();
        counters.rejectionsByKey().forEach((key, counts) -> keys.put(key, outcomes(counts, false)));
        Map<String, Object> forbidden = new LinkedHashMap<>();
        for (ForbiddenReason reason : ForbiddenReason.values()) {
            forbidden.put(camel(reason.name()), counters.forbiddenByReason().getOrDefault(reason, 0L));
        }
        return json(Json.object().put("plans", plans).put("keys", keys).put("forbidden", forbidden));
    }

    /**
     * Requests per second over the last hour in {@value RequestRates#SLOT_SECONDS}-second steps, oldest first, per
     * series (allowed, throttled, quota exceeded, would refuse), and the requests of each series in that hour. Sampled
     * by the dashboard servlet; 503 where it does not run.
     */
    @GET
    @Path("rates")
    public Response rates() {
        UsagePlans engine = engine();
        RequestRates rates = RequestRates.of(servletContext);
        if (rates == null) {
            throw new ServiceUnavailableException("the request rates are sampled by the dashboard servlet "
                    + "(io.usageplans.admin.DashboardServlet), which does not run in this application");
        }
        double[][] perSecond = rates.perSecond();
        long[] counted = rates.counted();
        Json.Obj series = Json.object();
        Json.Obj lastHour = Json.object();
        for (int s = 0; s < RequestRates.SERIES.length; s++) {
            List<Object> points = new ArrayList<>(perSecond.length);
            for (double[] slot : perSecond) {
                points.add(Math.round(slot[s] * 100) / 100.0);
            }
            series.put(RequestRates.SERIES[s], points);
            lastHour.put(RequestRates.SERIES[s], counted[s]);
        }
        return json(Json.object().put("stepSeconds", RequestRates.SLOT_SECONDS).put("end", engine.clock().instant())
                .put("series", series).put("lastHour", lastHour));
    }

    private static Map<String, Object> outcomes(Map<Outcome, Long> counts, boolean withAllowed) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Outcome outcome : REPORTED) {
            if (withAllowed || outcome != Outcome.ALLOWED) {
                result.put(camel(outcome.name()), counts.getOrDefault(outcome, 0L));
            }
        }
        return result;
    }

    /** {@code QUOTA_EXCEEDED} becomes {@code quotaExceeded}. */
    static String camel(String constant) {
        StringBuilder out = new StringBuilder();
        for (String part : constant.toLowerCase(Locale.ROOT).split("_")) {
            out.append(out.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return out.toString();
    }
}
