package io.usageplans;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The limits of one stage of the API for all callers together, as AWS's stage settings: throttles per method (one
 * bucket per stage method, shared by every caller, keyed or not; {@code * /*} without the space is the default for
 * every metered method without one of its own), and the methods metered without a key, by client address, under a plan
 * of their own.
 *
 * @param stage     the stage's name
 * @param throttles per method key ({@code /pets/GET}, or {@code * /*} for the default)
 * @param keyless   per method key, the plan that meters callers of that method by client address instead of a key
 */
public record StageSettings(String stage, Map<MethodKey, Throttle> throttles, Map<MethodKey, String> keyless) {

    /** The key of the stage's default throttle, as AWS's stage method settings name it. */
    public static final String DEFAULT_METHOD = "*/*";

    public StageSettings {
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must be a non-empty name, was '" + stage + "'");
        }
        throttles = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(throttles, Map.of())));
        keyless = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(keyless, Map.of())));
        keyless.forEach((key, plan) -> {
            if (plan == null || plan.isBlank()) {
                throw new IllegalArgumentException("keyless method " + key + " needs a plan name");
            }
        });
    }

    public static StageSettings of(String stage) {
        return new StageSettings(stage, Map.of(), Map.of());
    }

    /** Adds a throttle for all callers of one method ({@code /pets/GET}), or the default ({@code * /*} without the space). */
    public StageSettings withThrottle(String methodKey, Throttle throttle) {
        Map<MethodKey, Throttle> copy = new LinkedHashMap<>(throttles);
        copy.put(MethodKey.parse(methodKey), Objects.requireNonNull(throttle, "throttle"));
        return new StageSettings(stage, copy, keyless);
    }

    /** Meters callers of one method without a key, each client address on its own under {@code plan}. */
    public StageSettings withKeyless(String methodKey, String plan) {
        Map<MethodKey, String> copy = new LinkedHashMap<>(keyless);
        copy.put(MethodKey.parse(methodKey), plan);
        return new StageSettings(stage, throttles, copy);
    }

    /** The default throttle for every metered method without one of its own, or null. */
    public Throttle defaultThrottle() {
        return throttles.get(MethodKey.parse(DEFAULT_METHOD));
    }

    /** Whether {@code key} is the default's key {@code * /*} (without the space). */
    public static boolean isDefault(MethodKey key) {
        return key.resourcePath().equals("*") && key.httpMethod().equals("*");
    }
}
