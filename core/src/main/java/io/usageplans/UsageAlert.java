package io.usageplans;

import java.time.Instant;

/**
 * An alert a plan's {@link Alerts} raised: a key's quota counter reached a threshold, or the key was throttled for the
 * first time in a period. Raised once per key, threshold and period, also across a cluster. It names the key by its
 * name, never its value.
 *
 * @param kind        what happened
 * @param plan        the plan's name
 * @param key         the key's name
 * @param stage       the engine's stage
 * @param threshold   the percentage of the quota reached ({@link Kind#QUOTA}), or 0 for {@link Kind#FIRST_THROTTLE}
 * @param periodStart the start of the period: the quota period, or the UTC day for a plan without quota
 * @param used        the quota counter when the alert was raised (0 without quota)
 * @param limit       the quota limit of the period (0 without quota)
 * @param time        when it happened, on the engine's clock
 */
public record UsageAlert(Kind kind, String plan, String key, String stage, int threshold, Instant periodStart, long used,
                         long limit, Instant time) {

    /** What an alert is about. */
    public enum Kind {
        /** The quota counter reached {@link UsageAlert#threshold()} percent of the limit. */
        QUOTA,
        /** The key's first request refused (or, in shadow mode, that would be) with 429 Too Many Requests in the period. */
        FIRST_THROTTLE
    }

    /**
     * The webhook's body: {@code {"alert":"QUOTA","plan":"basic","key":"alice","stage":"test","threshold":80,
     * "periodStart":"2026-11-28T00:00:00Z","used":8,"limit":10,"time":"2026-11-28T10:15:30Z"}}; {@code threshold} is null
     * for {@code FIRST_THROTTLE}, {@code used} and {@code limit} are null for a plan without quota.
     */
    public String toJson() {
        boolean quota = limit > 0;
        return "{\"alert\":\"" + kind + "\",\"plan\":" + string(plan) + ",\"key\":" + string(key) + ",\"stage\":" + string(stage)
                + ",\"threshold\":" + (kind == Kind.QUOTA ? Integer.toString(threshold) : "null")
                + ",\"periodStart\":\"" + periodStart + "\",\"used\":" + (quota ? Long.toString(used) : "null")
                + ",\"limit\":" + (quota ? Long.toString(limit) : "null") + ",\"time\":\"" + time + "\"}";
    }

    private static String string(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
