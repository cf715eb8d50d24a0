package io.usageplans;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a plan file, YAML or JSON (the same structure; JSON is read as YAML 1.2, so errors carry lines for
 * both), into a {@link Catalog}. Field names follow AWS API Gateway's usage-plan model.
 *
 * <p>Every problem of the file is reported at once, in file order, each naming the file, the line, the entry and
 * the value: one problem is thrown as it is, several as one {@link UsagePlansConfigException} whose
 * {@link UsagePlansConfigException#problems() problems()} lists them (at most
 * {@value UsagePlansConfigException#MAX_LISTED}; the message counts the rest). A bad entry is reported and left
 * out, and reading goes on with the next one; only a file that is not YAML/JSON at all, or is empty, stops at its
 * first problem. Problems that would only follow from one already reported are not reported: a field that looks
 * missing in a map with a misspelled field, a key on a plan that has problems of its own.
 */
public final class PlanFile {

    private static final Set<String> TOP_FIELDS = Set.of("api", "plans", "apiKeys", "excludePaths", "responses", "skip", "only");
    private static final Set<String> CONDITION_FIELDS = Set.of("header", "equals", "matches", "method", "query", "path", "role",
            "class");
    private static final Set<String> RESPONSES_FIELDS = Set.of("rateLimitHeaders", "bucketShape", "forbidden", "throttled",
            "quotaExceeded", "unavailable");
    private static final Set<String> REJECTION_FIELDS = Set.of("status", "body", "contentType", "problem", "headers");
    private static final Set<String> PLAN_FIELDS = Set.of("name", "description", "throttle", "quota", "apiStages", "failMode",
            "enabled");
    private static final Set<String> THROTTLE_FIELDS = Set.of("rateLimit", "burstLimit", "countStatuses");
    private static final Set<String> METHOD_FIELDS = Set.of("rateLimit", "burstLimit", "cost", "bucket", "countStatuses");
    private static final Set<String> QUOTA_FIELDS = Set.of("limit", "period", "offset", "timeZone", "countStatuses");
    private static final Set<String> STAGE_FIELDS = Set.of("stage", "apiId", "throttle");
    private static final Set<String> KEY_FIELDS = Set.of("name", "description", "value", "valueSha256", "enabled", "plans");

    /** A YAML/JSON number: no Java suffixes (10f), no hex, no NaN. */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private final String source;
    private final Map<String, Integer> lineOfEntry = new LinkedHashMap<>();
    /** The problems found so far, at most {@link UsagePlansConfigException#MAX_LISTED}. */
    private final List<UsagePlansConfigException> problems = new ArrayList<>();
    /** Problems found beyond those kept: only counted, so a garbage file cannot make a huge message. */
    private int dropped;
    /** Maps with an unknown (likely misspelled) field: a field missing from them is not reported as missing too. */
    private final Set<Node> misspelled = Collections.newSetFromMap(new IdentityHashMap<>());

    private PlanFile(String source) {
        this.source = source;
    }

    /** Reads a plan file from disk. */
    public static Catalog load(Path file) {
        String source = file.toString();
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), source);
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read the plan file: " + e);
        }
    }

    /** Reads a plan file from a stream; {@code source} names it in error messages. */
    public static Catalog load(InputStream in, String source) {
        try (in) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), source);
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read the plan file: " + e);
        }
    }

    /** Parses plan-file text; {@code source} names it in error messages (a path, or {@code classpath:...}). */
    public static Catalog parse(String text, String source) {
        return new PlanFile(source).read(text);
    }

    private Catalog read(String text) {
        // JSON allows tabs as whitespace where YAML's block context does not; outside strings they mean nothing.
        String yaml = source.toLowerCase(Locale.ROOT).endsWith(".json") ? text.replace('\t', ' ') : text;
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(10).build();
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new UsagePlansConfigException(source, null, line, "not valid YAML/JSON: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new UsagePlansConfigException(source, null, 0, "not valid YAML/JSON: " + e.getMessage());
        }
        if (root.isEmpty()) {
            throw new UsagePlansConfigException(source, null, 0, "the plan file is empty; it needs at least 'plans'");
        }
        Map<String, Node> top = fields(root.get(), "", TOP_FIELDS); // not a map: nothing else can be read
        boolean topComplete = !misspelled.contains(root.get());
        String api = attempt(() -> optionalString(top.get("api"), "api"));

        // plans: each bad one is reported and left out; keys on it are then not checked against it (see below)
        List<Plan> plans = new ArrayList<>();
        Set<String> planNames = new LinkedHashSet<>(); // every name read, in file order, also of plans left out
        boolean allPlansNamed = topComplete;
        List<Node> planNodes = attempt(() -> list(top.get("plans"), "plans"));
        for (Node node : orEmpty(planNodes)) {
            Plan plan = attempt(() -> plan(node, indexEntry("plans", node), planNames));
            if (plan != null) {
                plans.add(plan);
            } else if (!planNames.contains(nameOf(node))) {
                allPlansNamed = false; // a plan with problems, and no name to tell keys on it from keys on unknown plans
            }
        }
        if (planNodes == null) {
            allPlansNamed = false;
        } else if (planNodes.isEmpty() && topComplete) { // with a misspelled top field, "plan:" may be "plans:"
            Node node = top.get("plans");
            report(error(node == null ? root.get() : node, "plans",
                    "at least one plan is required; without plans nothing is metered"));
        }

        List<ApiKey> keys = new ArrayList<>();
        Set<String> keyNames = new HashSet<>();
        for (Node node : orEmpty(attempt(() -> list(top.get("apiKeys"), "apiKeys")))) {
            ApiKey key = attempt(() -> apiKey(node, indexEntry("apiKeys", node), keyNames));
            if (key != null) {
                keys.add(key);
            }
        }
        List<String> excludePaths = new ArrayList<>();
        for (Node node : orEmpty(attempt(() -> list(top.get("excludePaths"), "excludePaths")))) {
            String pattern = attempt(() -> {
                String value = requiredString(node, "excludePaths");
                String problem = PathPattern.problemWith(value);
                if (problem != null) {
                    throw error(node, "excludePaths", problem);
                }
                return value;
            });
            if (pattern != null) {
                excludePaths.add(pattern);
            }
        }
        ResponseSettings responses = attempt(() -> responses(top.get("responses")));
        List<Condition> skip = conditions(top.get("skip"), "skip");
        List<Condition> only = conditions(top.get("only"), "only");

        // Keys on plans the file does not define. A plan left out for its own problems is not unknown, and while a
        // plan entry without a readable name (or a misspelled top-level field) may be any plan, none is.
        Set<String> goodPlans = new HashSet<>();
        plans.forEach(p -> goodPlans.add(p.name()));
        List<ApiKey> checked = new ArrayList<>();
        for (ApiKey key : keys) {
            List<String> checkable = new ArrayList<>();
            for (String plan : key.plans()) {
                if (goodPlans.contains(plan)) {
                    checkable.add(plan);
                } else if (allPlansNamed && !planNames.contains(plan)) {
                    String entry = "apiKeys[" + key.name() + "].plans";
                    report(new UsagePlansConfigException(source, entry, lineOf(entry), "unknown plan '" + plan
                            + "'; known plans are " + planNames));
                }
            }
            // the rest is checked by the catalog: unique key values, and one plan per stage among the good plans
            checked.add(checkable.size() == key.plans().size() ? key : key.withPlans(checkable));
        }
        Catalog catalog = null;
        boolean checksStopped = false;
        while (catalog == null) {
            Catalog.Builder builder = Catalog.builder().api(api).responses(responses).source(source);
            lineOfEntry.forEach(builder::line);
            plans.forEach(builder::plan);
            checked.forEach(builder::apiKey);
            excludePaths.forEach(builder::excludePath);
            skip.forEach(builder::skip);
            only.forEach(builder::only);
            try {
                catalog = builder.build();
            } catch (UsagePlansConfigException e) {
                for (UsagePlansConfigException p : e.problems()) {
                    report(new UsagePlansConfigException(source, p.entry(), lineOf(p.entry()), p.problem()));
                }
                // the catalog stops at the first bad key: check the others without its mistake (its value still
                // counts for the uniqueness of the others' when only its plans are wrong)
                int culprit = keyOfEntry(checked, e.entry());
                if (culprit < 0) {
                    break;
                }
                if (problems.size() >= UsagePlansConfigException.MAX_LISTED) {
                    checksStopped = true; // each further check builds the catalog again: not for problems beyond the list
                    break;
                }
                ApiKey key = checked.get(culprit);
                if (e.entry().endsWith(".plans") && !key.plans().isEmpty()) {
                    checked.set(culprit, key.withPlans(List.of()));
                } else {
                    checked.remove(culprit);
                }
            }
        }
        if (!problems.isEmpty()) {
            List<UsagePlansConfigException> inFileOrder = new ArrayList<>(problems);
            inFileOrder.sort(Comparator.comparingInt(p -> p.line() > 0 ? p.line() : Integer.MAX_VALUE)); // stable
            if (dropped > 0 || checksStopped) {
                throw new UsagePlansConfigException(inFileOrder, dropped, checksStopped);
            }
            UsagePlansConfigException.throwIfAny(inFileOrder);
        }
        return catalog;
    }

    /** The index of the key a catalog problem is about ({@code apiKeys[name]} or {@code apiKeys[name].plans}), or -1. */
    private static int keyOfEntry(List<ApiKey> keys, String entry) {
        if (entry != null) {
            for (int i = 0; i < keys.size(); i++) {
                String keyEntry = "apiKeys[" + keys.get(i).name() + "]";
                if (entry.equals(keyEntry) || entry.equals(keyEntry + ".plans")) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The {@code skip} or {@code only} list. Entries are named by position ({@code skip[0]}), and their lines recorded:
     * a {@code class:} condition is only loaded by the adapter, which reports a missing class at that line.
     */
    private List<Condition> conditions(Node listNode, String list) {
        List<Condition> conditions = new ArrayList<>();
        List<Node> nodes = orEmpty(attempt(() -> list(listNode, list)));
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            String entry = list + "[" + i + "]";
            lineOfEntry.putIfAbsent(entry, line(node));
            Condition condition = attempt(() -> condition(node, entry));
            if (condition != null) {
                conditions.add(condition);
            }
        }
        return conditions;
    }

    /** One of: header (with equals, matches, or alone for "present"), method, query (optionally equals), path, role, class. */
    private Condition condition(Node node, String entry) {
        int before = found();
        Map<String, Node> f = fields(node, entry, CONDITION_FIELDS);
        List<String> kinds = f.keySet().stream().filter(k -> !k.equals("equals") && !k.equals("matches")).toList();
        if (kinds.size() != 1) {
            if (kinds.isEmpty() && misspelled.contains(node)) {
                throw Reported.INSTANCE; // the misspelled field is likely the kind
            }
            throw error(node, entry, "needs exactly one of header, method, query, path, role or class, was " + kinds);
        }
        String kind = kinds.get(0);
        String name = attempt(() -> requiredString(f.get(kind), entry + "." + kind));
        String equals = attempt(() -> optionalString(f.get("equals"), entry + ".equals"));
        String matches = attempt(() -> optionalString(f.get("matches"), entry + ".matches"));
        failIfFound(before);
        if (equals != null && matches != null) {
            throw error(node, entry, "give equals or matches, not both");
        }
        if ((equals != null || matches != null) && !kind.equals("header") && !(kind.equals("query") && matches == null)) {
            throw error(node, entry, (matches != null ? "matches" : "equals") + " is not supported for " + kind);
        }
        try {
            return new Condition(Condition.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), name,
                    matches != null ? matches : equals, matches != null);
        } catch (IllegalArgumentException e) {
            throw error(node, entry, e.getMessage());
        }
    }

    private ResponseSettings responses(Node node) {
        if (node == null || isNull(node)) {
            return ResponseSettings.DEFAULT;
        }
        int before = found();
        Map<String, Node> f = fields(node, "responses", RESPONSES_FIELDS);
        ResponseSettings.Builder builder = ResponseSettings.builder();
        if (f.containsKey("rateLimitHeaders")) {
            Boolean value = attempt(() -> bool(f.get("rateLimitHeaders"), "responses.rateLimitHeaders"));
            if (value != null) {
                builder.rateLimitHeaders(value);
            }
        }
        if (f.containsKey("bucketShape")) {
            Boolean value = attempt(() -> bool(f.get("bucketShape"), "responses.bucketShape"));
            if (value != null) {
                builder.bucketShape(value);
            }
        }
        for (Map.Entry<String, Node> e : f.entrySet()) {
            Decision.Outcome outcome = ResponseSettings.outcomeNamed(e.getKey());
            if (outcome == null || isNull(e.getValue())) {
                continue;
            }
            ResponseSettings.Rejection rejection = attempt(() -> rejection(e.getValue(), "responses." + e.getKey()));
            if (rejection != null) {
                builder.rejection(outcome, rejection);
            }
        }
        failIfFound(before);
        return builder.build();
    }

    /** One refusal's response: {@code { status, body, contentType, problem, headers }}. */
    private ResponseSettings.Rejection rejection(Node node, String entry) {
        int before = found();
        Map<String, Node> r = fields(node, entry, REJECTION_FIELDS);
        Node statusNode = r.get("status");
        Integer status = statusNode == null ? Integer.valueOf(0) : attempt(() -> {
            long value = whole(statusNode, entry + ".status");
            if (value < 400 || value > 599) {
                throw error(statusNode, entry + ".status", "must be an HTTP error status from 400 to 599, was " + scalar(statusNode));
            }
            return (int) value;
        });
        Boolean problem = r.containsKey("problem") ? attempt(() -> bool(r.get("problem"), entry + ".problem")) : Boolean.FALSE;
        Node bodyNode = r.get("body");
        String body = bodyNode == null ? null : attempt(() -> {
            if (!(bodyNode instanceof ScalarNode s)) {
                throw error(bodyNode, entry + ".body", "must be text (a template; \"\" for no body), was " + describe(bodyNode));
            }
            return s.getValue();
        });
        if (Boolean.TRUE.equals(problem) && body != null) {
            report(error(bodyNode, entry + ".body", "give either problem: true or a body, not both"));
        }
        Node headersNode = r.get("headers");
        Map<String, String> headers = new LinkedHashMap<>();
        if (headersNode != null && !isNull(headersNode)) {
            if (!(headersNode instanceof MappingNode mapping)) {
                report(error(headersNode, entry + ".headers", "must be a map of header names to values"));
            } else {
                for (NodeTuple t : mapping.getValue()) {
                    String name = attempt(() -> requiredString(t.getKeyNode(), entry + ".headers"));
                    String value = attempt(() -> optionalString(t.getValueNode(), entry + ".headers"));
                    if (name != null) {
                        headers.put(name, value);
                    }
                }
            }
        }
        String contentType = attempt(() -> optionalString(r.get("contentType"), entry + ".contentType"));
        failIfFound(before);
        ResponseSettings.Rejection.Format format = problem ? ResponseSettings.Rejection.Format.PROBLEM
                : body == null ? ResponseSettings.Rejection.Format.GATEWAY
                : body.isEmpty() ? ResponseSettings.Rejection.Format.EMPTY : ResponseSettings.Rejection.Format.TEMPLATE;
        try {
            return new ResponseSettings.Rejection(status, format, body, contentType, headers);
        } catch (IllegalArgumentException ex) {
            throw error(node, entry, ex.getMessage());
        }
    }

    /** A plan, or {@link Reported} when it has problems (all of them reported); a second plan of a name is one. */
    private Plan plan(Node node, String fallbackEntry, Set<String> planNames) {
        int before = found();
        Map<String, Node> f = fields(node, fallbackEntry, PLAN_FIELDS);
        String name = attempt(() -> requiredString(f.get("name"), fallbackEntry + ".name", node));
        String entry = name == null ? fallbackEntry : "plans[" + name + "]";
        if (name != null) {
            if (!planNames.add(name)) {
                report(error(node, entry, "plan '" + name + "' is defined twice; plan names must be unique"));
            }
            lineOfEntry.putIfAbsent(entry, line(node));
        }
        Plan.Builder plan = Plan.builder(name == null ? "-" : name);
        String description = attempt(() -> optionalString(f.get("description"), entry + ".description"));
        Throttle throttle = attempt(() -> throttle(f.get("throttle"), entry + ".throttle"));
        StatusSet throttleStatuses = attempt(() -> countStatuses(f.get("throttle"), entry + ".throttle"));
        Quota quota = attempt(() -> quota(f.get("quota"), entry + ".quota"));
        StatusSet quotaStatuses = attempt(() -> countStatuses(f.get("quota"), entry + ".quota"));
        Set<String> stages = new HashSet<>();
        List<Node> stageNodes = orEmpty(attempt(() -> list(f.get("apiStages"), entry + ".apiStages")));
        for (int i = 0; i < stageNodes.size(); i++) {
            Node stageNode = stageNodes.get(i);
            String stageEntry = entry + ".apiStages[" + i + "]";
            ApiStage stage = attempt(() -> stage(stageNode, stageEntry, stages));
            if (stage != null) {
                plan.stage(stage);
            }
        }
        Node enabledNode = f.get("enabled");
        Boolean enabled = enabledNode == null || isNull(enabledNode) ? null : attempt(() -> bool(enabledNode, entry + ".enabled"));
        FailMode failMode = attempt(() -> failMode(f.get("failMode"), entry + ".failMode"));
        failIfFound(before);
        if (name == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        plan.description(description);
        if (throttle != null) {
            plan.throttle(throttle.rateLimit(), throttle.burstLimit());
            plan.throttleCountStatuses(throttleStatuses);
        }
        plan.quota(quota);
        if (quota != null) {
            plan.quotaCountStatuses(quotaStatuses);
        }
        if (enabled != null) {
            plan.enabled(enabled);
        }
        if (failMode != null) {
            plan.failMode(failMode);
        }
        return plan.build();
    }

    /**
     * One of a plan's apiStages: {@code { stage, throttle: { "/pets/GET": {...}, ... } }}. {@code stages} holds
     * the plan's stages so far; this one's name is added to it, even when the entry has other problems.
     */
    private ApiStage stage(Node stageNode, String stageEntry, Set<String> stages) {
        int before = found();
        Map<String, Node> sf = fields(stageNode, stageEntry, STAGE_FIELDS);
        String stage = attempt(() -> requiredString(sf.get("stage"), stageEntry + ".stage", stageNode));
        if (stage != null && !stages.add(stage)) {
            report(error(stageNode, stageEntry + ".stage", "stage '" + stage + "' is listed twice in this plan"));
        }
        Map<MethodKey, MethodSettings> methods = new LinkedHashMap<>();
        Node throttles = sf.get("throttle");
        if (throttles != null && !isNull(throttles)) {
            if (!(throttles instanceof MappingNode mapping)) {
                throw error(throttles, stageEntry + ".throttle",
                        "must be a map from method keys (like \"/pets/{petId}/GET\") to { rateLimit, burstLimit }");
            }
            Set<MethodKey> seen = new HashSet<>();
            for (NodeTuple t : mapping.getValue()) {
                String keyText = attempt(() -> requiredString(t.getKeyNode(), stageEntry + ".throttle"));
                String methodEntry = keyText == null ? stageEntry + ".throttle" : stageEntry + ".throttle[\"" + keyText + "\"]";
                MethodKey key = keyText == null ? null : attempt(() -> {
                    try {
                        return MethodKey.parse(keyText);
                    } catch (IllegalArgumentException e) {
                        throw error(t.getKeyNode(), methodEntry, e.getMessage());
                    }
                });
                if (key != null && !seen.add(key)) {
                    report(error(t.getKeyNode(), methodEntry, "method '" + keyText + "' is listed twice"));
                } else if (key != null) { // for problems found later, named by the key as it prints
                    String printed = stageEntry + ".throttle[\"" + key + "\"]";
                    lineOfEntry.putIfAbsent(printed, line(t.getKeyNode()));
                    if (t.getValueNode() instanceof MappingNode fields) { // a cost or shared bucket is checked with the routes
                        for (NodeTuple field : fields.getValue()) {
                            if (field.getKeyNode() instanceof ScalarNode name && METHOD_FIELDS.contains(name.getValue())) {
                                lineOfEntry.putIfAbsent(printed + "." + name.getValue(), line(field.getKeyNode()));
                            }
                        }
                    }
                }
                MethodSettings settings = attempt(() -> method(t.getValueNode(), methodEntry));
                if (key != null && settings != null) {
                    methods.putIfAbsent(key, settings);
                }
            }
        }
        failIfFound(before);
        if (stage == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return new ApiStage(stage, methods);
    }

    private FailMode failMode(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        String text = requiredString(node, entry);
        try {
            return FailMode.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(node, entry, "unknown fail mode '" + text + "'; use CLOSED (answer 503 when the "
                    + "store cannot answer, the default) or OPEN (let requests through unmetered)");
        }
    }

    /** A method entry: { rateLimit, burstLimit } with an optional cost and shared bucket, or only a cost. */
    private MethodSettings method(Node node, String entry) {
        if (node == null || isNull(node)) {
            throw error(node, entry, "needs { rateLimit, burstLimit } and/or a cost");
        }
        int before = found();
        Map<String, Node> f = fields(node, entry, METHOD_FIELDS);
        boolean throttled = f.containsKey("rateLimit") || f.containsKey("burstLimit");
        Throttle throttle = throttled ? attempt(() -> throttle(node, entry, f)) : null;
        Node costNode = f.get("cost");
        Integer cost = costNode == null || isNull(costNode) ? Integer.valueOf(1) : attempt(() -> {
            long value = whole(costNode, entry + ".cost");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw error(costNode, entry + ".cost", "must be a whole number of at least 1, was " + scalar(costNode));
            }
            return (int) value;
        });
        String bucket = attempt(() -> optionalString(f.get("bucket"), entry + ".bucket"));
        if (bucket != null && !throttled) {
            report(error(f.get("bucket"), entry + ".bucket", "a shared bucket needs rateLimit and burstLimit"));
        } else if (!throttled && costNode == null && !misspelled.contains(node)) {
            report(error(node, entry, "needs { rateLimit, burstLimit } and/or a cost"));
        }
        StatusSet statuses = attempt(() -> countStatuses(node, entry));
        failIfFound(before);
        return new MethodSettings(throttle, cost, bucket, statuses);
    }

    /** The optional countStatuses of a throttle, quota or method entry: "2xx", [401, 403], "400-499". */
    private StatusSet countStatuses(Node parent, String entry) {
        Node node = parent instanceof MappingNode mapping ? mapping.getValue().stream()
                .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("countStatuses"))
                .map(NodeTuple::getValueNode).findFirst().orElse(null) : null;
        if (node == null || isNull(node)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                parts.add(requiredString(item, entry + ".countStatuses"));
            }
        } else {
            parts.addAll(List.of(requiredString(node, entry + ".countStatuses").split(",")));
        }
        try {
            return StatusSet.parse(parts);
        } catch (IllegalArgumentException e) {
            throw error(node, entry + ".countStatuses", e.getMessage());
        }
    }

    private Throttle throttle(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        return throttle(node, entry, fields(node, entry, THROTTLE_FIELDS));
    }

    private Throttle throttle(Node node, String entry, Map<String, Node> f) {
        int before = found();
        Double rateLimit = attempt(() -> {
            Node rate = required(f.get("rateLimit"), entry + ".rateLimit", node);
            double value = decimal(rate, entry + ".rateLimit");
            if (!(value > 0)) {
                throw error(rate, entry + ".rateLimit", "must be a number of requests per second greater than 0 (like 10 or 0.5), "
                        + "was " + scalar(rate));
            }
            return value;
        });
        Integer burstLimit = attempt(() -> {
            Node burst = required(f.get("burstLimit"), entry + ".burstLimit", node);
            long value = whole(burst, entry + ".burstLimit");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw error(burst, entry + ".burstLimit", "must be a whole number of requests of at least 1, was " + scalar(burst));
            }
            return (int) value;
        });
        failIfFound(before);
        if (rateLimit == null || burstLimit == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return new Throttle(rateLimit, burstLimit);
    }

    private Quota quota(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        int before = found();
        Map<String, Node> f = fields(node, entry, QUOTA_FIELDS);
        Long limit = attempt(() -> {
            Node limitNode = required(f.get("limit"), entry + ".limit", node);
            long value = whole(limitNode, entry + ".limit");
            if (value < 1) {
                throw error(limitNode, entry + ".limit", "must be a whole number of requests of at least 1, was " + scalar(limitNode));
            }
            return value;
        });
        QuotaPeriod period = attempt(() -> {
            Node periodNode = required(f.get("period"), entry + ".period", node);
            String periodText = requiredString(periodNode, entry + ".period");
            try {
                return QuotaPeriod.valueOf(periodText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw error(periodNode, entry + ".period", "unknown period '" + periodText + "'; use DAY, WEEK or MONTH");
            }
        });
        Node offsetNode = f.get("offset");
        Integer offset = offsetNode == null || isNull(offsetNode) ? Integer.valueOf(0) : attempt(() -> {
            long value = whole(offsetNode, entry + ".offset");
            if (period != null && (value < 0 || value > period.maxOffset())) { // without a period, only its form is checked
                throw error(offsetNode, entry + ".offset", "for period " + period + " must be "
                        + switch (period) {
                            case DAY -> "0";
                            case WEEK -> "0 (Sunday) to 6 (Saturday)";
                            case MONTH -> "0 (the 1st) to 27 (the 28th)";
                        } + ", was " + scalar(offsetNode));
            }
            return (int) value;
        });
        Node zoneNode = f.get("timeZone");
        ZoneId zone = zoneNode == null || isNull(zoneNode) ? null : attempt(() -> {
            String zoneText = requiredString(zoneNode, entry + ".timeZone");
            try {
                return ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw error(zoneNode, entry + ".timeZone", "unknown time zone '" + zoneText
                        + "'; use an IANA zone id like UTC, Europe/Berlin or America/New_York");
            }
        });
        failIfFound(before);
        if (limit == null || period == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return new Quota(limit, period, offset, zone);
    }

    /** A key, or {@link Reported} when it has problems (all of them reported); a second key of a name is one. */
    private ApiKey apiKey(Node node, String fallbackEntry, Set<String> keyNames) {
        int before = found();
        Map<String, Node> f = fields(node, fallbackEntry, KEY_FIELDS);
        String name = attempt(() -> requiredString(f.get("name"), fallbackEntry + ".name", node));
        String entry = name == null ? fallbackEntry : "apiKeys[" + name + "]";
        boolean firstOfName = name != null && keyNames.add(name);
        if (name != null && !firstOfName) {
            report(error(node, entry, "key '" + name + "' is defined twice; key names must be unique"));
        }
        ApiKey.Builder key = ApiKey.builder(name == null ? "-" : name);
        String description = attempt(() -> optionalString(f.get("description"), entry + ".description"));
        Node value = f.get("value");
        Node hash = f.get("valueSha256");
        if ((value == null) == (hash == null)) {
            if (value != null || !misspelled.contains(node)) { // with a misspelled field, that may be the value
                report(error(node, entry, value == null ? "needs a 'value' or a 'valueSha256'"
                        : "has both 'value' and 'valueSha256'; give one"));
            }
        } else if (value != null) {
            attempt(() -> {
                String text = rawString(value, entry + ".value"); // not trimmed: spaces are a problem to report, not to hide
                String problem = ApiKey.problemWithValue(text);
                if (problem != null) {
                    throw error(value, entry + ".value", "the key value " + problem + " (" + ApiKey.mask(text) + ")");
                }
                return key.value(text);
            });
        } else {
            attempt(() -> {
                String text = requiredString(hash, entry + ".valueSha256");
                try {
                    return key.valueSha256(text);
                } catch (IllegalArgumentException e) {
                    // it may be a key value written in the wrong field: never print it in full
                    throw error(hash, entry + ".valueSha256", "must be 64 hexadecimal digits (the SHA-256 of the key value), "
                            + "was " + text.length() + " characters (" + ApiKey.mask(text) + ")");
                }
            });
        }
        Node enabled = f.get("enabled");
        if (enabled != null && !isNull(enabled)) {
            attempt(() -> key.enabled(bool(enabled, entry + ".enabled")));
        }
        List<String> plans = new ArrayList<>();
        Node plansNode = f.get("plans");
        for (Node p : orEmpty(attempt(() -> list(plansNode, entry + ".plans")))) {
            String plan = attempt(() -> requiredString(p, entry + ".plans"));
            if (plan != null) {
                plans.add(plan);
            }
        }
        if (firstOfName) {
            lineOfEntry.putIfAbsent(entry, line(node));
            if (plansNode != null) {
                lineOfEntry.putIfAbsent(entry + ".plans", line(plansNode));
            }
        }
        failIfFound(before);
        if (name == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return key.description(description).plans(plans).build();
    }

    // ---- problems: reported, and reading goes on ----

    /**
     * Thrown by a reader of an entry whose problems it has already reported: the entry is left out, and nothing
     * more is reported for it.
     */
    private static final class Reported extends RuntimeException {
        static final Reported INSTANCE = new Reported();

        private Reported() {
            super(null, null, false, false);
        }
    }

    /** The value {@code step} reads, or {@code null} when it found problems: those are reported, and reading goes on. */
    private <T> T attempt(Supplier<T> step) {
        try {
            return step.get();
        } catch (UsagePlansConfigException e) {
            report(e);
            return null;
        } catch (Reported e) {
            return null;
        }
    }

    private void report(UsagePlansConfigException e) {
        for (UsagePlansConfigException p : e.problems()) {
            if (problems.size() < UsagePlansConfigException.MAX_LISTED) {
                problems.add(p);
            } else {
                dropped++;
            }
        }
    }

    /** How many problems were found so far. */
    private int found() {
        return problems.size() + dropped;
    }

    /** Leaves the entry out when problems were found in it since {@code before}; they are reported already. */
    private void failIfFound(int before) {
        if (found() > before) {
            throw Reported.INSTANCE;
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    // ---- node access with located errors ----

    /**
     * The fields of a map. An unknown field is reported and left out (the others are still read); a node that is
     * not a map fails.
     */
    private Map<String, Node> fields(Node node, String entry, Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, entry.isEmpty() ? "(top level)" : entry, "must be a map with fields " + sorted(allowed)
                    + ", was " + describe(node));
        }
        Map<String, Node> result = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            String at = entry.isEmpty() ? String.valueOf(key) : entry + "." + key;
            if (key == null || !allowed.contains(key)) {
                misspelled.add(node);
                report(error(t.getKeyNode(), at, "unknown field '" + key + "'; allowed here: " + sorted(allowed)));
            } else if (result.putIfAbsent(key, t.getValueNode()) != null) {
                report(error(t.getKeyNode(), at, "field '" + key + "' is given twice"));
            }
        }
        return result;
    }

    private List<Node> list(Node node, String entry) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, entry, "must be a list, was " + describe(node));
        }
        return sequence.getValue();
    }

    /** {@code plans[premium]} when the entry has a name, {@code plans[line 7]} while it has none. */
    private static String indexEntry(String list, Node node) {
        String name = nameOf(node);
        return name != null ? list + "[" + name + "]" : list + "[line " + line(node) + "]";
    }

    /** The name of a plan or key entry, or {@code null} when it has none that is text. */
    private static String nameOf(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name")
                        && t.getValueNode() instanceof ScalarNode v && !v.getValue().isBlank()) {
                    return v.getValue().trim();
                }
            }
        }
        return null;
    }

    /** {@code node}, or a located "is required"; none when its map has a misspelled field (reported already). */
    private Node required(Node node, String entry, Node parent) {
        if (node == null && misspelled.contains(parent)) {
            throw Reported.INSTANCE;
        }
        if (node == null || isNull(node)) {
            throw error(node == null ? parent : node, entry, "is required");
        }
        return node;
    }

    private String requiredString(Node node, String entry, Node parent) {
        return requiredString(required(node, entry, parent), entry);
    }

    private String requiredString(Node node, String entry) {
        if (!(node instanceof ScalarNode s) || isNull(node)) {
            throw error(node, entry, "must be text, was " + describe(node));
        }
        String value = s.getValue().trim();
        if (value.isEmpty()) {
            throw error(node, entry, "must not be empty");
        }
        return value;
    }

    private String rawString(Node node, String entry) {
        if (!(node instanceof ScalarNode s) || isNull(node)) {
            throw error(node, entry, "must be text, was " + (node instanceof ScalarNode ? "empty" : describe(node)));
        }
        return s.getValue();
    }

    private String optionalString(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode s)) {
            throw error(node, entry, "must be text, was " + describe(node));
        }
        return s.getValue();
    }

    private boolean bool(Node node, String entry) {
        String text = scalar(node);
        if (!text.equals("true") && !text.equals("false")) {
            throw error(node, entry, "must be true or false, was '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    private double decimal(Node node, String entry) {
        String text = scalarOrFail(node, entry, "a number");
        if (!DECIMAL.matcher(text).matches()) {
            throw error(node, entry, "must be a number (like 10 or 0.5), was '" + text + "'");
        }
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            throw error(node, entry, "is too large, was '" + text + "'");
        }
        return value;
    }

    private long whole(Node node, String entry) {
        String text = scalarOrFail(node, entry, "a whole number");
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error(node, entry, "must be a whole number, was '" + text + "'");
        }
    }

    private String scalarOrFail(Node node, String entry, String what) {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, entry, "must be " + what + ", was " + describe(node));
        }
        return s.getValue().trim();
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : describe(node);
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.isPlain()
                && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
    }

    private static String describe(Node node) {
        if (node == null) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return isNull(node) ? "empty" : "'" + ((ScalarNode) node).getValue() + "'";
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    private static int line(Node node) {
        return node == null ? 0 : node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    private int lineOf(String entry) {
        if (entry == null) {
            return 0;
        }
        Integer exact = lineOfEntry.get(entry);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, Integer> e : lineOfEntry.entrySet()) {
            if (entry.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return 0;
    }

    private UsagePlansConfigException error(Node node, String entry, String problem) {
        return new UsagePlansConfigException(source, entry, line(node), problem);
    }
}
