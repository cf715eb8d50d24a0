package io.usageplans.internal;

import io.usageplans.Decision;
import io.usageplans.QuotaWindow;

/**
 * The limits of one request that a stage throttle or a keyless identity took part in: the caller's own limits
 * ({@link CompiledPlan} or {@link MethodRoute}; none for a method only the stage throttles), the stage's bucket with
 * what the store said of it, and, for a caller without a key, the state key its plan was counted under. Made per
 * request, since the stage's numbers are not the caller's.
 */
final class StagedLimits implements Decision.Limits {

    final Decision.Limits own;
    final StageBucket stage;
    final long stageTokens;
    final long stageNanosToFull;
    final String clientStateKey;

    StagedLimits(Decision.Limits own, StageBucket stage, long stageTokens, long stageNanosToFull, String clientStateKey) {
        this.own = own;
        this.stage = stage;
        this.stageTokens = stageTokens;
        this.stageNanosToFull = stageNanosToFull;
        this.clientStateKey = clientStateKey;
    }

    @Override
    public String planName() {
        return own == null ? null : own.planName();
    }

    @Override
    public String methodKey() {
        return own == null ? null : own.methodKey();
    }

    @Override
    public boolean hasPlanThrottle() {
        return own != null && own.hasPlanThrottle();
    }

    @Override
    public String policyName(Decision.Limit limit) {
        if (limit == Decision.Limit.STAGE_THROTTLE) {
            return stage == null ? null : stage.rawPolicyName;
        }
        return own == null ? null : own.policyName(limit);
    }

    @Override
    public String rateLimitPolicy(QuotaWindow window, boolean bucketShape) {
        String mine = own == null ? "" : own.rateLimitPolicy(window, bucketShape);
        if (stage == null) {
            return mine;
        }
        String item = bucketShape ? stage.shapedPolicyItem : stage.policyItem;
        return mine.isEmpty() ? item : mine + ", " + item;
    }

    @Override
    public String rateLimit(Decision.Usage usage, QuotaWindow window, long nowMillis) {
        String mine = own == null ? "" : own.rateLimit(usage, window, nowMillis);
        if (stage == null) {
            return mine;
        }
        String item = stage.policyName + ";r=" + stageTokens + ";t=" + RateLimitFields.ceilSeconds(stageNanosToFull);
        return mine.isEmpty() ? item : mine + ", " + item;
    }
}
