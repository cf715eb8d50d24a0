package io.usageplans;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A usage plan (AWS's UsagePlan): an optional per-key throttle, an optional per-key quota, and the stages
 * it applies to. No throttle means not throttled; no quota means no quota. A plan in {@code shadow} (report-only) mode
 * decides and counts every request but refuses none: what it would refuse is logged, counted and heard by listeners.
 * Its {@link Alerts} say which quota thresholds and throttling raise a {@link UsageAlert}.
 */
public record Plan(String name, String description, Throttle throttle, Quota quota, List<ApiStage> apiStages,
                   FailMode failMode, boolean enabled, StatusSet throttleCountStatuses, StatusSet quotaCountStatuses,
                   boolean shadow, Alerts alerts) {

    public Plan {
        alerts = alerts == null ? Alerts.NONE : alerts;
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("plan name must not be empty");
        }
        description = description == null ? "" : description;
        failMode = failMode == null ? FailMode.CLOSED : failMode;
        apiStages = List.copyOf(Objects.requireNonNullElse(apiStages, List.of()));
        List<String> seen = new ArrayList<>();
        for (ApiStage s : apiStages) {
            if (seen.contains(s.stage())) {
                throw new IllegalArgumentException("stage '" + s.stage() + "' is listed twice in plan '" + name + "'");
            }
            seen.add(s.stage());
        }
    }

    /** An enabled, enforcing plan that fails closed when the store cannot answer. */
    public Plan(String name, String description, Throttle throttle, Quota quota, List<ApiStage> apiStages) {
        this(name, description, throttle, quota, apiStages, FailMode.CLOSED, true, null, null, false, Alerts.NONE);
    }

    /** A plan without alerts. */
    public Plan(String name, String description, Throttle throttle, Quota quota, List<ApiStage> apiStages,
                FailMode failMode, boolean enabled, StatusSet throttleCountStatuses, StatusSet quotaCountStatuses,
                boolean shadow) {
        this(name, description, throttle, quota, apiStages, failMode, enabled, throttleCountStatuses, quotaCountStatuses,
                shadow, Alerts.NONE);
    }

    /** An enforcing plan (not in shadow mode). */
    public Plan(String name, String description, Throttle throttle, Quota quota, List<ApiStage> apiStages,
                FailMode failMode, boolean enabled, StatusSet throttleCountStatuses, StatusSet quotaCountStatuses) {
        this(name, description, throttle, quota, apiStages, failMode, enabled, throttleCountStatuses, quotaCountStatuses,
                false, Alerts.NONE);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Optional<Throttle> throttleIfAny() {
        return Optional.ofNullable(throttle);
    }

    public Optional<Quota> quotaIfAny() {
        return Optional.ofNullable(quota);
    }

    /** This plan's settings for {@code stage}, if it applies to that stage. */
    public Optional<ApiStage> stage(String stage) {
        for (ApiStage s : apiStages) {
            if (s.stage().equals(stage)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Builds a {@link Plan} in code: {@code Plan.builder("premium").throttle(Throttle.rateLimit(20).burstLimit(40))
     * .quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test")}.
     */
    public static final class Builder {
        private final String name;
        private String description;
        private Throttle throttle;
        private Quota quota;
        private final List<ApiStage> stages = new ArrayList<>();
        private FailMode failMode = FailMode.CLOSED;
        private boolean enabled = true;
        private StatusSet throttleCountStatuses;
        private StatusSet quotaCountStatuses;
        private boolean shadow;
        private Alerts alerts = Alerts.NONE;

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String value) {
            this.description = value;
            return this;
        }

        /** The plan's throttle, e.g. {@code Throttle.rateLimit(20).burstLimit(40)}. */
        public Builder throttle(Throttle value) {
            this.throttle = value;
            return this;
        }

        public Builder quota(Quota value) {
            this.quota = value;
            return this;
        }

        public Builder stage(String stage) {
            stages.add(ApiStage.of(stage));
            return this;
        }

        public Builder stage(ApiStage stage) {
            stages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** What requests get when the store cannot answer; {@link FailMode#CLOSED} by default. */
        public Builder failMode(FailMode value) {
            this.failMode = value;
            return this;
        }

        /** {@code false} switches metering off for this plan's keys: their requests pass, with no RateLimit fields. */
        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        /** Only responses with these statuses count toward the plan's throttle; others give their tokens back. */
        public Builder throttleCountStatuses(StatusSet value) {
            this.throttleCountStatuses = value;
            return this;
        }

        /** Only responses with these statuses count toward the quota (e.g. 2xx); others give their units back. */
        public Builder quotaCountStatuses(StatusSet value) {
            this.quotaCountStatuses = value;
            return this;
        }

        /**
         * {@code true}: shadow (report-only) mode. Every request is decided and counted as usual, with its RateLimit
         * fields, but none is refused; what would have been refused is logged, counted and heard by listeners
         * ({@link Decision#wouldRefuse()}). {@code false} (the default) enforces.
         */
        public Builder shadow(boolean value) {
            this.shadow = value;
            return this;
        }

        /**
         * Alerts raised once per key, threshold and period: {@code Alerts.quota(80, 100).withFirstThrottle()}. None by
         * default. Quota thresholds need a quota.
         */
        public Builder alerts(Alerts value) {
            this.alerts = value == null ? Alerts.NONE : value;
            return this;
        }

        public Plan build() {
            return new Plan(name, description, throttle, quota, stages, failMode, enabled, throttleCountStatuses,
                    quotaCountStatuses, shadow, alerts);
        }
    }
}
