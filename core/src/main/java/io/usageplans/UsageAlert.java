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
     * Names this alert, the same on every delivery attempt and every member: 32 hex characters of the SHA-256 of kind,
     * plan, key, stage, threshold and period start. The webhook sends it as {@code Idempotency-Key}, so a receiver can
     * drop a second delivery of one alert (an attempt that timed out after the receiver had it).
     */
    public String id() {
        String identity = kind + "\n" + plan + "\n" + key + "\n" + stage + "\n" + threshold + "\n" + periodStart;
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * The webhook's body: {@code {"alert":"QUOTA","plan":"basic","key":"alice","stage":"test","threshold":80,
     * "periodStart":"2026-11-28T00:00:00Z","used":8,"limit":10,"time":"2026-11-28T10:15:30Z"}}; {@code threshold} is null
     * for {@code FIRST_THROTTLE}, {@code used} and {@code limit} are null for a plan without quota.
     */
    public String toJson() {
        boolean quota = limit > 0;
        StringBuilder out = new StringBuilder(256).append("{\"alert\":\"").append(kind).append("\",\"plan\":");
        JsonStrings.quote(out, plan).append(",\"key\":");
        JsonStrings.quote(out, key).append(",\"stage\":");
        JsonStrings.quote(out, stage);
        return out.append(",\"threshold\":").append(kind == Kind.QUOTA ? Integer.toString(threshold) : "null")
                .append(",\"periodStart\":\"").append(periodStart)
                .append("\",\"used\":").append(quota ? Long.toString(used) : "null")
                .append(",\"limit\":").append(quota ? Long.toString(limit) : "null")
                .append(",\"time\":\"").append(time).append("\"}").toString();
    }
}
