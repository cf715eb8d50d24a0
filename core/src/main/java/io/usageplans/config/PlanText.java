package io.usageplans.config;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.usageplans.Alerts;
import io.usageplans.ApiStage;
import io.usageplans.JsonStrings;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;

/**
 * Plans as text: {@link #write} gives a plan file in JSON with only its {@code plans} (every field a plan can have:
 * description, throttle and quota with their {@code countStatuses}, quota period, offset and time zone, apiStages with
 * their method throttles, costs and shared buckets, failMode, enabled, shadow, alerts); {@link #read} reads such text
 * back with the plan file's own reader, so it is validated like a plan file and its problems name the entry and line.
 * A clustered store keeps the plans its members share in this form. The text is ASCII (anything else escaped), so
 * that any grid carries it unchanged.
 */
public final class PlanText {

    private PlanText() {
    }

    /**
     * {@code {"plans":[...]}} in the plan file's format, one plan per line. A plan's throttle count statuses without a
     * throttle and its quota count statuses without a quota are left out: a plan file cannot state them, and they have
     * no effect.
     */
    public static String write(List<Plan> plans) {
        StringBuilder out = new StringBuilder(256 * (plans.size() + 1)).append("{\"plans\":[");
        for (int i = 0; i < plans.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n");
            plan(out, plans.get(i));
        }
        return out.append(plans.isEmpty() ? "]}\n" : "\n]}\n").toString();
    }

    /**
     * The plans of {@code text} (as {@link #write} gives it, or any JSON plan file: its keys, stages and other sections
     * are read and checked, but only its plans returned), in their order. {@code source} names the text in problems
     * (one not ending in {@code .json} gets {@code /plans.json}: the text is read as JSON). An empty {@code plans} list gives no plans.
     *
     * @throws UsagePlansConfigException naming the entry, line and value of every problem, as for a plan file
     */
    public static List<Plan> read(String text, String source) {
        String name = source == null || source.isBlank() ? "plans.json" : source;
        String json = name.toLowerCase(Locale.ROOT).endsWith(".json") ? name : name + "/plans.json";
        if (isEmptyPlans(text)) {
            return List.of();
        }
        return PlanFile.parse(text, json).plans();
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes, in lower-case hex. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** {@code {"plans":[]}} (any spacing): the plan file's reader refuses a file without plans, a directory may have none. */
    private static boolean isEmptyPlans(String text) {
        String compact = text.replaceAll("[ \\t\\r\\n]", "");
        if (compact.startsWith("\uFEFF")) {
            compact = compact.substring(1);
        }
        return compact.equals("{\"plans\":[]}");
    }

    private static void plan(StringBuilder out, Plan plan) {
        out.append("{\"name\":");
        JsonStrings.quoteAscii(out, plan.name());
        if (!plan.description().isEmpty()) {
            out.append(",\"description\":");
            JsonStrings.quoteAscii(out, plan.description());
        }
        if (plan.throttle() != null) {
            out.append(",\"throttle\":{");
            throttle(out, plan.throttle());
            statuses(out, plan.throttleCountStatuses());
            out.append('}');
        }
        if (plan.quota() != null) {
            Quota quota = plan.quota();
            out.append(",\"quota\":{\"limit\":").append(quota.limit())
                    .append(",\"period\":\"").append(quota.period().name()).append('"')
                    .append(",\"offset\":").append(quota.offset())
                    .append(",\"timeZone\":");
            JsonStrings.quoteAscii(out, quota.timeZone().getId());
            statuses(out, plan.quotaCountStatuses());
            out.append('}');
        }
        out.append(",\"apiStages\":[");
        for (int i = 0; i < plan.apiStages().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            stage(out, plan.apiStages().get(i));
        }
        out.append(']');
        out.append(",\"failMode\":\"").append(plan.failMode().name()).append('"');
        out.append(",\"enabled\":").append(plan.enabled());
        out.append(",\"shadow\":").append(plan.shadow());
        Alerts alerts = plan.alerts();
        if (alerts.any()) {
            out.append(",\"alerts\":{\"quota\":[");
            for (int i = 0; i < alerts.quotaPercents().size(); i++) {
                out.append(i == 0 ? "" : ",").append(alerts.quotaPercents().get(i));
            }
            out.append("],\"firstThrottle\":").append(alerts.firstThrottle()).append('}');
        }
        out.append('}');
    }

    private static void stage(StringBuilder out, ApiStage stage) {
        out.append("{\"stage\":");
        JsonStrings.quoteAscii(out, stage.stage());
        if (!stage.methods().isEmpty()) {
            out.append(",\"throttle\":{");
            boolean first = true;
            for (Map.Entry<MethodKey, MethodSettings> method : stage.methods().entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                MethodKey key = method.getKey();
                JsonStrings.quoteAscii(out, key.resourcePath() + "/" + key.httpMethod()); // the template as given, regexes included
                out.append(":{");
                MethodSettings settings = method.getValue();
                if (settings.throttle() != null) {
                    throttle(out, settings.throttle());
                    out.append(',');
                }
                out.append("\"cost\":").append(settings.cost());
                if (settings.bucket() != null) {
                    out.append(",\"bucket\":");
                    JsonStrings.quoteAscii(out, settings.bucket());
                }
                statuses(out, settings.countStatuses());
                out.append('}');
            }
            out.append('}');
        }
        out.append('}');
    }

    private static void throttle(StringBuilder out, Throttle throttle) {
        // the shortest decimal that reads back as the same double, never in exponent form
        out.append("\"rateLimit\":").append(BigDecimal.valueOf(throttle.rateLimit()).stripTrailingZeros().toPlainString())
                .append(",\"burstLimit\":").append(throttle.burstLimit());
    }

    private static void statuses(StringBuilder out, StatusSet statuses) {
        if (statuses == null) {
            return;
        }
        out.append(",\"countStatuses\":[");
        boolean first = true;
        for (String part : statuses.toString().split(",")) {
            if (!part.isBlank()) {
                out.append(first ? "" : ",");
                first = false;
                JsonStrings.quoteAscii(out, part.trim());
            }
        }
        out.append(']');
    }
}
