package io.usageplans;

/**
 * A plan's settings for one method on one stage, as the plan file's {@code apiStages[].throttle} entries give them:
 * the method-level throttle, the cost a call is charged (against every throttle and the quota), and an optional
 * bucket name that several methods share.
 *
 * @param throttle the per-key method throttle, or null for a method with only a cost
 * @param cost     tokens and quota units a call takes, at least 1
 * @param bucket   a shared bucket's name, or null for a bucket of this method's own
 * @param countStatuses only responses with these statuses count toward the method throttle, or null for all
 */
public record MethodSettings(Throttle throttle, int cost, String bucket, StatusSet countStatuses) {

    public MethodSettings(Throttle throttle, int cost, String bucket) {
        this(throttle, cost, bucket, null);
    }


    public MethodSettings {
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be a whole number of at least 1, was " + cost);
        }
        if (bucket != null && bucket.isBlank()) {
            bucket = null;
        }
        if (bucket != null && throttle == null) {
            throw new IllegalArgumentException("bucket '" + bucket + "' needs a throttle (rateLimit and burstLimit)");
        }
    }

    public static MethodSettings of(Throttle throttle) {
        return new MethodSettings(throttle, 1, null, null);
    }
}
