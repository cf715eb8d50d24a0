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

    /** Keys listed when {@code limit} is not given. */
    static final int DEFAULT_KEYS = 100;
    /** The most keys one answer lists, so that a catalog of a million keys still answers in one small body. */
    static final int MAX_KEYS = 1000;

    /**
     * Counters of this member since it started: per plan by outcome, forbidden requests by reason, and the refusals of
     * the {@code limit} keys refused most (default {@value #DEFAULT_KEYS}, at most {@value #MAX_KEYS}; ties by name),
     * with {@code keysRefused}, how many keys had a refusal.
     */
    @GET
    public Response stats(@jakarta.ws.rs.QueryParam("limit") String limitText) {
        int limit = intParameter("limit", limitText, 1, MAX_KEYS, DEFAULT_KEYS);
        UsagePlans engine = engine();
        DecisionCounters counters = engine.counters();
        Map<String, Map<Outcome, Long>> byPlan = counters.byPlan();
        Map<String, Object> plans = new LinkedHashMap<>();
        for (Plan plan : engine.admin().plans()) {
            plans.put(plan.name(), outcomes(byPlan.getOrDefault(plan.name(), Map.of()), true));
        }
        byPlan.forEach((plan, counts) -> plans.putIfAbsent(plan, outcomes(counts, true)));
        Map<String, Map<Outcome, Long>> refusals = counters.rejectionsByKey();
        Map<String, Object> keys = new LinkedHashMap<>();
        refusals.entrySet().stream()
                .sorted(java.util.Comparator.<Map.Entry<String, Map<Outcome, Long>>>comparingLong(e -> -refused(e.getValue()))
                        .thenComparing(Map.Entry::getKey))
                .limit(limit)
                .forEach(e -> keys.put(e.getKey(), outcomes(e.getValue(), false)));
        Map<String, Object> forbidden = new LinkedHashMap<>();
        for (ForbiddenReason reason : ForbiddenReason.values()) {
            forbidden.put(camel(reason.name()), counters.forbiddenByReason().getOrDefault(reason, 0L));
        }
        return json(Json.object().put("plans", plans).put("keys", keys).put("keysRefused", refusals.size())
                .put("forbidden", forbidden));
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

    private static long refused(Map<Outcome, Long> counts) {
        long sum = 0;
        for (Map.Entry<Outcome, Long> count : counts.entrySet()) {
            if (count.getKey() != Outcome.ALLOWED) {
                sum += count.getValue();
            }
        }
        return sum;
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
