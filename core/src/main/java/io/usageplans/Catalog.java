package io.usageplans;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The plans and API keys of one API, validated as a whole: unique plan and key names, unique key values,
 * keys only on known plans, and at most one plan per key on each stage (as in AWS).
 */
public final class Catalog {

    private final String api;
    private final Map<String, Plan> plans;
    private final List<String> planOrder;
    private final List<ApiKey> apiKeys;
    private final List<String> excludePaths;
    private final ResponseSettings responses;
    private final List<Condition> skip;
    private final List<Condition> only;
    private final String source;
    private final Map<String, Integer> lines;

    private Catalog(String api, List<Plan> plans, List<ApiKey> apiKeys, List<String> excludePaths, ResponseSettings responses,
                    List<Condition> skip, List<Condition> only, String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = Map.copyOf(lines);
        this.api = api == null || api.isBlank() ? "api" : api;
        this.excludePaths = List.copyOf(excludePaths);
        this.responses = responses == null ? ResponseSettings.DEFAULT : responses;
        this.skip = List.copyOf(skip);
        this.only = List.copyOf(only);
        for (String pattern : this.excludePaths) {
            String problem = PathPattern.problemWith(pattern);
            if (problem != null) {
                throw new UsagePlansConfigException("excludePaths", problem);
            }
        }
        Map<String, Plan> byName = new LinkedHashMap<>();
        for (Plan plan : plans) {
            if (byName.putIfAbsent(plan.name(), plan) != null) {
                throw new UsagePlansConfigException("plans[" + plan.name() + "]",
                        "plan '" + plan.name() + "' is defined twice; plan names must be unique");
            }
        }
        Map<String, ApiKey> keysByName = new HashMap<>();
        Map<String, ApiKey> keysByHash = new HashMap<>();
        List<ApiKey> keys = new ArrayList<>();
        for (ApiKey key : apiKeys) {
            String entry = "apiKeys[" + key.name() + "]";
            if (keysByName.putIfAbsent(key.name(), key) != null) {
                throw new UsagePlansConfigException(entry, "key '" + key.name() + "' is defined twice; key names must be unique");
            }
            // by hash, so a million keys validate in linear time; the hashes are not secret
            ApiKey sameValue = keysByHash.putIfAbsent(java.util.HexFormat.of().formatHex(key.valueSha256()), key);
            if (sameValue != null) {
                throw new UsagePlansConfigException(entry, "key '" + key.name() + "' has the same value as key '"
                        + sameValue.name() + "'; key values must be unique");
            }
            if (key.previousValueSha256() != null) {
                ApiKey clash = keysByHash.get(java.util.HexFormat.of().formatHex(key.previousValueSha256()));
                if (clash != null) {
                    throw new UsagePlansConfigException(entry, "the previous value of key '" + key.name()
                            + "' is the value of key '" + clash.name() + "'; key values must be unique");
                }
            }
            Map<String, String> planOfStage = new HashMap<>();
            for (String planName : key.plans()) {
                Plan plan = byName.get(planName);
                if (plan == null) {
                    throw new UsagePlansConfigException(entry + ".plans", "unknown plan '" + planName + "'; known plans are "
                            + byName.keySet());
                }
                for (ApiStage stage : plan.apiStages()) {
                    String previous = planOfStage.putIfAbsent(stage.stage(), planName);
                    if (previous != null && !previous.equals(planName)) {
                        throw new UsagePlansConfigException(entry + ".plans", "plans '" + previous + "' and '" + planName
                                + "' both apply to stage '" + stage.stage() + "'; a key may have at most one plan per stage");
                    }
                }
            }
            keys.add(key);
        }
        this.plans = Map.copyOf(byName);
        this.apiKeys = List.copyOf(keys);
        this.planOrder = List.copyOf(byName.keySet());
    }

    public static Builder builder() {
        return new Builder();
    }

    public String api() {
        return api;
    }

    /** The plans, in the order they were defined. */
    public List<Plan> plans() {
        List<Plan> ordered = new ArrayList<>(planOrder.size());
        for (String name : planOrder) {
            ordered.add(plans.get(name));
        }
        return ordered;
    }

    /** Paths that are never metered, e.g. {@code /health} or {@code /static/*}; see {@link PathPattern}. */
    public List<String> excludePaths() {
        return excludePaths;
    }

    /** How refusals look (the plan file's {@code responses:}); the gateway's by default. */
    public ResponseSettings responses() {
        return responses;
    }

    /** Requests matching any of these are not metered (evaluated before metering). */
    public List<Condition> skip() {
        return skip;
    }

    /** When not empty, only requests matching one of these are metered. */
    public List<Condition> only() {
        return only;
    }

    public Optional<Plan> plan(String name) {
        return Optional.ofNullable(plans.get(name));
    }

    public List<ApiKey> apiKeys() {
        return apiKeys;
    }

    /** This catalog with other keys (plans, paths, responses and conditions unchanged), validated as a whole. */
    public Catalog withApiKeys(List<ApiKey> keys) {
        return new Catalog(api, plans(), keys, excludePaths, responses, skip, only, source, lines);
    }

    /** Where this catalog came from ({@code classpath:usage-plans.yaml}, a file), or null when it was built in code. */
    public String source() {
        return source;
    }

    /** The plan file's line of an entry, or 0 when unknown (built in code, or not recorded). */
    public int lineOf(String entry) {
        return lines.getOrDefault(entry, 0);
    }

    /** The plan of {@code key} that applies to {@code stage}, if any. */
    public Optional<Plan> planOf(ApiKey key, String stage) {
        for (String name : key.plans()) {
            Plan plan = plans.get(name);
            if (plan != null && plan.stage(stage).isPresent()) {
                return Optional.of(plan);
            }
        }
        return Optional.empty();
    }

    /** Builds a {@link Catalog} in code. */
    public static final class Builder {
        private String api;
        private final List<Plan> plans = new ArrayList<>();
        private final List<ApiKey> apiKeys = new ArrayList<>();
        private final List<String> excludePaths = new ArrayList<>();
        private ResponseSettings responses;
        private final List<Condition> skip = new ArrayList<>();
        private final List<Condition> only = new ArrayList<>();
        private String source;
        private final Map<String, Integer> lines = new HashMap<>();

        private Builder() {
        }

        public Builder api(String name) {
            this.api = name;
            return this;
        }

        public Builder plan(Plan plan) {
            plans.add(Objects.requireNonNull(plan, "plan"));
            return this;
        }

        public Builder apiKey(ApiKey key) {
            apiKeys.add(Objects.requireNonNull(key, "key"));
            return this;
        }

        /** A path never metered: exact ({@code /health}), prefix ({@code /static/*}) or extension ({@code *.css}). */
        public Builder excludePath(String pattern) {
            excludePaths.add(Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /** How refusals look; the gateway's by default. */
        public Builder responses(ResponseSettings value) {
            this.responses = value;
            return this;
        }

        /** Requests matching this are not metered. */
        public Builder skip(Condition condition) {
            skip.add(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /** Only requests matching one of the {@code only} conditions are metered. */
        public Builder only(Condition condition) {
            only.add(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /** Where the catalog came from, for start-up lines and errors: {@code classpath:usage-plans.yaml}. */
        public Builder source(String value) {
            this.source = value;
            return this;
        }

        /** The plan file's line of an entry ({@code plans[premium].apiStages[0].throttle["/pets/GET"]}), for errors found later. */
        public Builder line(String entry, int line) {
            lines.put(Objects.requireNonNull(entry, "entry"), line);
            return this;
        }

        public Catalog build() {
            return new Catalog(api, plans, apiKeys, excludePaths, responses, skip, only, source, lines);
        }
    }
}
