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
    private final List<StageSettings> stages;

    private Catalog(String api, List<Plan> plans, List<ApiKey> apiKeys, List<String> excludePaths, ResponseSettings responses,
                    List<Condition> skip, List<Condition> only, String source, Map<String, Integer> lines,
                    List<StageSettings> stages) {
        this.source = source;
        this.stages = List.copyOf(stages);
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
        List<UsagePlansConfigException> problems = new ArrayList<>();
        int[] unlisted = {0};
        List<ApiKey> keys = checkKeys(apiKeys, byName, true, (key, entry, problem) -> {
            if (problems.size() < UsagePlansConfigException.MAX_LISTED) {
                problems.add(new UsagePlansConfigException(entry, problem));
            } else {
                unlisted[0]++;
            }
        });
        if (unlisted[0] > 0) {
            throw new UsagePlansConfigException(problems, unlisted[0], false);
        }
        UsagePlansConfigException.throwIfAny(problems);
        for (StageSettings stage : this.stages) {
            if (this.stages.stream().filter(s -> s.stage().equals(stage.stage())).count() > 1) {
                throw new UsagePlansConfigException("stages[" + stage.stage() + "]", "stage '" + stage.stage()
                        + "' is listed twice; list each stage once");
            }
            stage.keyless().forEach((key, plan) -> {
                if (!byName.containsKey(plan)) {
                    throw new UsagePlansConfigException("stages[" + stage.stage() + "].keyless[\"" + key + "\"]",
                            "unknown plan '" + plan + "'; known plans are " + byName.keySet());
                }
            });
        }
        this.plans = Map.copyOf(byName);
        this.apiKeys = List.copyOf(keys);
        this.planOrder = List.copyOf(byName.keySet());
    }

    /** Hears of a key that cannot be in the catalog: the key, its entry ({@code apiKeys[name]}) and why. */
    interface KeyProblems {
        void problem(ApiKey key, String entry, String problem);
    }

    /**
     * The keys that can be in the catalog, in order, in one pass: each problem goes to {@code problems}. A key with the
     * name or the value of a key before it, or whose previous value is the value of one before it, is left out. A key
     * on plans it may not have is left out too, or with {@code keepWithoutPlans} kept with no plans, so that its name
     * and value still count for the keys after it (a plan file's keys are all reported, none served).
     */
    private static List<ApiKey> checkKeys(List<ApiKey> apiKeys, Map<String, Plan> byName, boolean keepWithoutPlans,
                                          KeyProblems problems) {
        Map<String, ApiKey> keysByName = new HashMap<>(apiKeys.size() * 2);
        // by hash, so a million keys validate in linear time; the hashes are not secret
        Map<ValueHash, ApiKey> keysByHash = new HashMap<>(apiKeys.size() * 2);
        // keys on the same plans share one list of plan names, and each list is checked once
        Map<List<String>, List<String>> planLists = new HashMap<>();
        Map<List<String>, String> problemOfPlans = new HashMap<>();
        List<ApiKey> keys = new ArrayList<>(apiKeys.size());
        for (ApiKey key : apiKeys) {
            String entry = "apiKeys[" + key.name() + "]";
            if (keysByName.containsKey(key.name())) {
                problems.problem(key, entry, "key '" + key.name() + "' is defined twice; key names must be unique");
                continue;
            }
            ValueHash value = new ValueHash(key);
            ApiKey sameValue = keysByHash.get(value);
            if (sameValue != null) {
                problems.problem(key, entry, "key '" + key.name() + "' has the same value as key '" + sameValue.name()
                        + "'; key values must be unique");
                continue;
            }
            byte[] previous = key.previousValueSha256();
            ApiKey clash = previous == null ? null : new ValueHash(previous).equals(value) ? key : keysByHash.get(new ValueHash(previous));
            if (clash != null) {
                problems.problem(key, entry, "the previous value of key '" + key.name() + "' is the value of key '" + clash.name()
                        + "'; key values must be unique");
                continue;
            }
            List<String> plansOfKey = planLists.putIfAbsent(key.plans(), key.plans());
            if (plansOfKey != null && plansOfKey != key.plans()) {
                key = key.withPlans(plansOfKey);
            }
            String problem = problemOfPlans.computeIfAbsent(key.plans(), names -> problemWithPlans(names, byName));
            if (!problem.isEmpty()) {
                problems.problem(key, entry + ".plans", problem);
                if (!keepWithoutPlans) {
                    continue;
                }
                key = key.withPlans(List.of());
            }
            keysByName.put(key.name(), key);
            keysByHash.put(value, key);
            keys.add(key);
        }
        return keys;
    }

    /** Why a key may not have these plans (an unknown plan, two plans on one stage), or "" when it may. */
    private static String problemWithPlans(List<String> names, Map<String, Plan> byName) {
        Map<String, String> planOfStage = new HashMap<>();
        for (String planName : names) {
            Plan plan = byName.get(planName);
            if (plan == null) {
                return "unknown plan '" + planName + "'; known plans are " + byName.keySet();
            }
            for (ApiStage stage : plan.apiStages()) {
                String previous = planOfStage.putIfAbsent(stage.stage(), planName);
                if (previous != null && !previous.equals(planName)) {
                    return "plans '" + previous + "' and '" + planName + "' both apply to stage '" + stage.stage()
                            + "'; a key may have at most one plan per stage";
                }
            }
        }
        return "";
    }

    /** A key's value hash as a map key: 48 bytes, where a hex string would be over 100. */
    private record ValueHash(long h0, long h1, long h2, long h3) {
        ValueHash(ApiKey key) {
            this(key.valueSha256());
        }

        ValueHash(byte[] sha256) {
            this(longAt(sha256, 0), longAt(sha256, 8), longAt(sha256, 16), longAt(sha256, 24));
        }

        private static long longAt(byte[] bytes, int offset) {
            long value = 0;
            for (int i = offset; i < offset + 8; i++) {
                value = value << 8 | (bytes[i] & 0xff);
            }
            return value;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public String api() {
        return api;
    }

    /** The stages' settings for all callers (stage throttles, keyless methods), in the order they were defined. */
    public List<StageSettings> stages() {
        return stages;
    }

    /** The settings of {@code stage} for all callers, if the catalog has any. */
    public Optional<StageSettings> stageSettings(String stage) {
        return stages.stream().filter(s -> s.stage().equals(stage)).findFirst();
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
        return new Catalog(api, plans(), keys, excludePaths, responses, skip, only, source, lines, stages);
    }

    /**
     * This catalog with other plans (keys, paths, responses and conditions unchanged), validated as a whole: every key's
     * plans must exist, and a plan a stage's keyless callers use too.
     */
    public Catalog withPlans(List<Plan> newPlans) {
        return new Catalog(api, newPlans, apiKeys, excludePaths, responses, skip, only, source, lines, stages);
    }

    /**
     * This catalog with those of {@code keys} that fit (as {@link #withApiKeys}, but a key that does not fit is left
     * out instead of failing): each key left out, and why, goes to {@code ignored}. A key before another wins: of two
     * keys with one name or one value, the first stays. One pass, however many keys.
     */
    public Catalog withApiKeysIgnoringInvalid(List<ApiKey> keys, java.util.function.BiConsumer<ApiKey, String> ignored) {
        List<ApiKey> accepted = checkKeys(keys, plans, false, (key, entry, problem) -> ignored.accept(key, problem));
        return new Catalog(api, plans(), accepted, excludePaths, responses, skip, only, source, lines, stages);
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
        private final List<StageSettings> stages = new ArrayList<>();

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

        /** A stage's limits for all callers: stage throttles and keyless methods. */
        public Builder stage(StageSettings settings) {
            stages.add(Objects.requireNonNull(settings, "settings"));
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
            return new Catalog(api, plans, apiKeys, excludePaths, responses, skip, only, source, lines, stages);
        }
    }
}
