package io.usageplans;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A stage of the API a plan applies to, with that plan's method-level throttles on this stage (AWS's ApiStage). */
public record ApiStage(String stage, Map<MethodKey, Throttle> methodThrottles) {

    public ApiStage {
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must be a non-empty name, was '" + stage + "'");
        }
        methodThrottles = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNullElse(methodThrottles, Map.of())));
    }

    public static ApiStage of(String stage) {
        return new ApiStage(stage, Map.of());
    }

    /** Adds a method-level throttle, keyed like AWS ({@code /pets/{petId}/GET}). */
    public ApiStage withMethodThrottle(String methodKey, Throttle throttle) {
        Map<MethodKey, Throttle> copy = new LinkedHashMap<>(methodThrottles);
        copy.put(MethodKey.parse(methodKey), Objects.requireNonNull(throttle, "throttle"));
        return new ApiStage(stage, copy);
    }
}
