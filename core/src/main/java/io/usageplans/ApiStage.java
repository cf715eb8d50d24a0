package io.usageplans;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A stage of the API a plan applies to, with that plan's method-level settings on this stage (AWS's ApiStage and
 * its method throttles, keyed like {@code /pets/{petId}/GET}).
 */
public record ApiStage(String stage, Map<MethodKey, MethodSettings> methods) {

    public ApiStage {
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must be a non-empty name, was '" + stage + "'");
        }
        methods = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(methods, Map.of())));
    }

    public static ApiStage of(String stage) {
        return new ApiStage(stage, Map.of());
    }

    /** Adds a method-level throttle, keyed like AWS ({@code /pets/{petId}/GET}). */
    public ApiStage withMethodThrottle(String methodKey, Throttle throttle) {
        return withMethod(methodKey, MethodSettings.of(Objects.requireNonNull(throttle, "throttle")));
    }

    /** Adds settings for a method: throttle, cost and shared bucket. */
    public ApiStage withMethod(String methodKey, MethodSettings settings) {
        Map<MethodKey, MethodSettings> copy = new LinkedHashMap<>(methods);
        copy.put(MethodKey.parse(methodKey), Objects.requireNonNull(settings, "settings"));
        return new ApiStage(stage, copy);
    }

    /** The method throttles alone. */
    public Map<MethodKey, Throttle> methodThrottles() {
        Map<MethodKey, Throttle> throttles = new LinkedHashMap<>();
        methods.forEach((key, settings) -> {
            if (settings.throttle() != null) {
                throttles.put(key, settings.throttle());
            }
        });
        return Collections.unmodifiableMap(throttles);
    }
}
