package io.usageplans;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * both), into a {@link Catalog}. Field names follow AWS API Gateway's usage-plan model. Every problem fails
 * with one {@link UsagePlansConfigException} naming the file, the line, the entry and the value.
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
        Map<String, Node> top = fields(root.get(), "", TOP_FIELDS);
        Catalog.Builder catalog = Catalog.builder();
        catalog.api(optionalString(top.get("api"), "api"));
        Set<String> planNames = new HashSet<>();
        for (Node node : list(top.get("plans"), "plans")) {
            Plan plan = plan(node, indexEntry("plans", node));
            if (!planNames.add(plan.name())) {
                throw error(node, "plans[" + plan.name() + "]", "plan '" + plan.name()
                        + "' is defined twice; plan names must be unique");
            }
            catalog.plan(plan);
        }
        if (planNames.isEmpty()) {
            Node plans = top.get("plans");
            throw error(plans == null ? root.get() : plans, "plans", "at least one plan is required; without plans nothing is metered");
        }
        Set<String> keyNames = new HashSet<>();
        for (Node node : list(top.get("apiKeys"), "apiKeys")) {
            ApiKey key = apiKey(node, indexEntry("apiKeys", node));
            if (!keyNames.add(key.name())) {
                throw error(node, "apiKeys[" + key.name() + "]", "key '" + key.name()
                        + "' is defined twice; key names must be unique");
            }
            lineOfEntry.put("apiKeys[" + key.name() + "]", line(node));
            catalog.apiKey(key);
        }
        for (Node node : list(top.get("excludePaths"), "excludePaths")) {
            String pattern = requiredString(node, "excludePaths");
            String problem = PathPattern.problemWith(pattern);
            if (problem != null) {
                throw error(node, "excludePaths", problem);
            }
            catalog.excludePath(pattern);
        }
        catalog.responses(responses(top.get("responses")));
        for (Node node : list(top.get("skip"), "skip")) {
            catalog.skip(condition(node, "skip[line " + line(node) + "]"));
        }
        for (Node node : list(top.get("only"), "only")) {
            catalog.only(condition(node, "only[line " + line(node) + "]"));
        }
        try {
            return catalog.build();
        } catch (UsagePlansConfigException e) {
            throw new UsagePlansConfigException(source, e.entry(), lineOf(e.entry()), e.problem());
        }
    }

    /** One of: header (with equals, matches, or alone for "present"), method, query (optionally equals), path, role, class. */
    private Condition condition(Node node, String entry) {
        Map<String, Node> f = fields(node, entry, CONDITION_FIELDS);
        List<String> kinds = f.keySet().stream().filter(k -> !k.equals("equals") && !k.equals("matches")).toList();
        if (kinds.size() != 1) {
            throw error(node, entry, "needs exactly one of header, method, query, path, role or class, was " + kinds);
        }
        String kind = kinds.get(0);
        String name = requiredString(f.get(kind), entry + "." + kind);
        String equals = optionalString(f.get("equals"), entry + ".equals");
        String matches = optionalString(f.get("matches"), entry + ".matches");
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
        Map<String, Node> f = fields(node, "responses", RESPONSES_FIELDS);
        ResponseSettings.Builder builder = ResponseSettings.builder();
        if (f.containsKey("rateLimitHeaders")) {
            builder.rateLimitHeaders(bool(f.get("rateLimitHeaders"), "responses.rateLimitHeaders"));
        }
        if (f.containsKey("bucketShape")) {
            builder.bucketShape(bool(f.get("bucketShape"), "responses.bucketShape"));
        }
        for (Map.Entry<String, Node> e : f.entrySet()) {
            Decision.Outcome outcome = ResponseSettings.outcomeNamed(e.getKey());
            if (outcome == null || isNull(e.getValue())) {
                continue;
            }
            String entry = "responses." + e.getKey();
            Map<String, Node> r = fields(e.getValue(), entry, REJECTION_FIELDS);
            int status = 0;
            Node statusNode = r.get("status");
            if (statusNode != null) {
                long value = whole(statusNode, entry + ".status");
                if (value < 400 || value > 599) {
                    throw error(statusNode, entry + ".status", "must be an HTTP error status from 400 to 599, was " + scalar(statusNode));
                }
                status = (int) value;
            }
            boolean problem = r.containsKey("problem") && bool(r.get("problem"), entry + ".problem");
            Node bodyNode = r.get("body");
            String body = bodyNode == null ? null : bodyNode instanceof ScalarNode s ? s.getValue() : null;
            if (bodyNode != null && body == null) {
                throw error(bodyNode, entry + ".body", "must be text (a template; \"\" for no body), was " + describe(bodyNode));
            }
            if (problem && body != null) {
                throw error(bodyNode, entry + ".body", "give either problem: true or a body, not both");
            }
            ResponseSettings.Rejection.Format format = problem ? ResponseSettings.Rejection.Format.PROBLEM
                    : body == null ? ResponseSettings.Rejection.Format.GATEWAY
                    : body.isEmpty() ? ResponseSettings.Rejection.Format.EMPTY : ResponseSettings.Rejection.Format.TEMPLATE;
            Map<String, String> headers = new LinkedHashMap<>();
            Node headersNode = r.get("headers");
            if (headersNode != null && !isNull(headersNode)) {
                if (!(headersNode instanceof MappingNode mapping)) {
                    throw error(headersNode, entry + ".headers", "must be a map of header names to values");
                }
                for (NodeTuple t : mapping.getValue()) {
                    headers.put(requiredString(t.getKeyNode(), entry + ".headers"), optionalString(t.getValueNode(), entry + ".headers"));
                }
            }
            try {
                builder.rejection(outcome, new ResponseSettings.Rejection(status, format, body,
                        optionalString(r.get("contentType"), entry + ".contentType"), headers));
            } catch (IllegalArgumentException ex) {
                throw error(e.getValue(), entry, ex.getMessage());
            }
        }
        return builder.build();
    }

    private Plan plan(Node node, String fallbackEntry) {
        Map<String, Node> f = fields(node, fallbackEntry, PLAN_FIELDS);
        String name = requiredString(f.get("name"), fallbackEntry + ".name", node);
        String entry = "plans[" + name + "]";
        lineOfEntry.putIfAbsent(entry, line(node));
        Plan.Builder plan = Plan.builder(name).description(optionalString(f.get("description"), entry + ".description"));
        Throttle throttle = throttle(f.get("throttle"), entry + ".throttle");
        if (throttle != null) {
            plan.throttle(throttle.rateLimit(), throttle.burstLimit());
            plan.throttleCountStatuses(countStatuses(f.get("throttle"), entry + ".throttle"));
        }
        plan.quota(quota(f.get("quota"), entry + ".quota"));
        if (f.get("quota") != null && !isNull(f.get("quota"))) {
            plan.quotaCountStatuses(countStatuses(f.get("quota"), entry + ".quota"));
        }
        Set<String> stages = new HashSet<>();
        List<Node> stageNodes = list(f.get("apiStages"), entry + ".apiStages");
        for (int i = 0; i < stageNodes.size(); i++) {
            Node stageNode = stageNodes.get(i);
            String stageEntry = entry + ".apiStages[" + i + "]";
            Map<String, Node> sf = fields(stageNode, stageEntry, STAGE_FIELDS);
            String stage = requiredString(sf.get("stage"), stageEntry + ".stage", stageNode);
            if (!stages.add(stage)) {
                throw error(stageNode, stageEntry + ".stage", "stage '" + stage + "' is listed twice in this plan");
            }
            Map<MethodKey, MethodSettings> methods = new LinkedHashMap<>();
            Node throttles = sf.get("throttle");
            if (throttles != null && !isNull(throttles)) {
                if (!(throttles instanceof MappingNode mapping)) {
                    throw error(throttles, stageEntry + ".throttle",
                            "must be a map from method keys (like \"/pets/{petId}/GET\") to { rateLimit, burstLimit }");
                }
                for (NodeTuple t : mapping.getValue()) {
                    String keyText = requiredString(t.getKeyNode(), stageEntry + ".throttle");
                    String methodEntry = stageEntry + ".throttle[\"" + keyText + "\"]";
                    MethodKey key;
                    try {
                        key = MethodKey.parse(keyText);
                    } catch (IllegalArgumentException e) {
                        throw error(t.getKeyNode(), methodEntry, e.getMessage());
                    }
                    if (methods.containsKey(key)) {
                        throw error(t.getKeyNode(), methodEntry, "method '" + keyText + "' is listed twice");
                    }
                    methods.put(key, method(t.getValueNode(), methodEntry));
                }
            }
            plan.stage(new ApiStage(stage, methods));
        }
        Node enabled = f.get("enabled");
        if (enabled != null && !isNull(enabled)) {
            plan.enabled(bool(enabled, entry + ".enabled"));
        }
        Node failMode = f.get("failMode");
        if (failMode != null && !isNull(failMode)) {
            String text = requiredString(failMode, entry + ".failMode");
            try {
                plan.failMode(FailMode.valueOf(text.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw error(failMode, entry + ".failMode", "unknown fail mode '" + text + "'; use CLOSED (answer 503 when the "
                        + "store cannot answer, the default) or OPEN (let requests through unmetered)");
            }
        }
        return plan.build();
    }

    /** A method entry: { rateLimit, burstLimit } with an optional cost and shared bucket, or only a cost. */
    private MethodSettings method(Node node, String entry) {
        if (node == null || isNull(node)) {
            throw error(node, entry, "needs { rateLimit, burstLimit } and/or a cost");
        }
        Map<String, Node> f = fields(node, entry, METHOD_FIELDS);
        Throttle throttle = f.containsKey("rateLimit") || f.containsKey("burstLimit") ? throttle(node, entry, f) : null;
        int cost = 1;
        Node costNode = f.get("cost");
        if (costNode != null && !isNull(costNode)) {
            long value = whole(costNode, entry + ".cost");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw error(costNode, entry + ".cost", "must be a whole number of at least 1, was " + scalar(costNode));
            }
            cost = (int) value;
        }
        String bucket = optionalString(f.get("bucket"), entry + ".bucket");
        if (bucket != null && throttle == null) {
            throw error(f.get("bucket"), entry + ".bucket", "a shared bucket needs rateLimit and burstLimit");
        }
        if (throttle == null && costNode == null) {
            throw error(node, entry, "needs { rateLimit, burstLimit } and/or a cost");
        }
        return new MethodSettings(throttle, cost, bucket, countStatuses(node, entry));
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
        Node rate = required(f.get("rateLimit"), entry + ".rateLimit", node);
        Node burst = required(f.get("burstLimit"), entry + ".burstLimit", node);
        double rateLimit = decimal(rate, entry + ".rateLimit");
        if (!(rateLimit > 0)) {
            throw error(rate, entry + ".rateLimit", "must be a number of requests per second greater than 0 (like 10 or 0.5), was "
                    + scalar(rate));
        }
        long burstLimit = whole(burst, entry + ".burstLimit");
        if (burstLimit < 1 || burstLimit > Integer.MAX_VALUE) {
            throw error(burst, entry + ".burstLimit", "must be a whole number of requests of at least 1, was " + scalar(burst));
        }
        return new Throttle(rateLimit, (int) burstLimit);
    }

    private Quota quota(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        Map<String, Node> f = fields(node, entry, QUOTA_FIELDS);
        Node limitNode = required(f.get("limit"), entry + ".limit", node);
        long limit = whole(limitNode, entry + ".limit");
        if (limit < 1) {
            throw error(limitNode, entry + ".limit", "must be a whole number of requests of at least 1, was " + scalar(limitNode));
        }
        Node periodNode = required(f.get("period"), entry + ".period", node);
        String periodText = requiredString(periodNode, entry + ".period");
        QuotaPeriod period;
        try {
            period = QuotaPeriod.valueOf(periodText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(periodNode, entry + ".period", "unknown period '" + periodText + "'; use DAY, WEEK or MONTH");
        }
        int offset = 0;
        Node offsetNode = f.get("offset");
        if (offsetNode != null && !isNull(offsetNode)) {
            long value = whole(offsetNode, entry + ".offset");
            if (value < 0 || value > period.maxOffset()) {
                throw error(offsetNode, entry + ".offset", "for period " + period + " must be "
                        + switch (period) {
                            case DAY -> "0";
                            case WEEK -> "0 (Sunday) to 6 (Saturday)";
                            case MONTH -> "0 (the 1st) to 27 (the 28th)";
                        } + ", was " + scalar(offsetNode));
            }
            offset = (int) value;
        }
        ZoneId zone = null;
        Node zoneNode = f.get("timeZone");
        if (zoneNode != null && !isNull(zoneNode)) {
            String zoneText = requiredString(zoneNode, entry + ".timeZone");
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw error(zoneNode, entry + ".timeZone", "unknown time zone '" + zoneText
                        + "'; use an IANA zone id like UTC, Europe/Berlin or America/New_York");
            }
        }
        return new Quota(limit, period, offset, zone);
    }

    private ApiKey apiKey(Node node, String fallbackEntry) {
        Map<String, Node> f = fields(node, fallbackEntry, KEY_FIELDS);
        String name = requiredString(f.get("name"), fallbackEntry + ".name", node);
        String entry = "apiKeys[" + name + "]";
        ApiKey.Builder key = ApiKey.builder(name).description(optionalString(f.get("description"), entry + ".description"));
        Node value = f.get("value");
        Node hash = f.get("valueSha256");
        if ((value == null) == (hash == null)) {
            throw error(node, entry, value == null ? "needs a 'value' or a 'valueSha256'" : "has both 'value' and 'valueSha256'; give one");
        }
        if (value != null) {
            String text = rawString(value, entry + ".value"); // not trimmed: spaces are a problem to report, not to hide
            String problem = ApiKey.problemWithValue(text);
            if (problem != null) {
                throw error(value, entry + ".value", "the key value " + problem + " (" + ApiKey.mask(text) + ")");
            }
            key.value(text);
        } else {
            String text = requiredString(hash, entry + ".valueSha256");
            try {
                key.valueSha256(text);
            } catch (IllegalArgumentException e) {
                // it may be a key value written in the wrong field: never print it in full
                throw error(hash, entry + ".valueSha256", "must be 64 hexadecimal digits (the SHA-256 of the key value), was "
                        + text.length() + " characters (" + ApiKey.mask(text) + ")");
            }
        }
        Node enabled = f.get("enabled");
        if (enabled != null && !isNull(enabled)) {
            key.enabled(bool(enabled, entry + ".enabled"));
        }
        List<String> plans = new ArrayList<>();
        Node plansNode = f.get("plans");
        for (Node p : list(plansNode, entry + ".plans")) {
            plans.add(requiredString(p, entry + ".plans"));
        }
        if (plansNode != null) {
            lineOfEntry.put(entry + ".plans", line(plansNode));
        }
        key.plans(plans);
        return key.build();
    }

    // ---- node access with located errors ----

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
                throw error(t.getKeyNode(), at, "unknown field '" + key + "'; allowed here: " + sorted(allowed));
            }
            if (result.put(key, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), at, "field '" + key + "' is given twice");
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
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name")
                        && t.getValueNode() instanceof ScalarNode v && !v.getValue().isBlank()) {
                    return list + "[" + v.getValue().trim() + "]";
                }
            }
        }
        return list + "[line " + line(node) + "]";
    }

    private Node required(Node node, String entry, Node parent) {
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
