package io.usageplans.config;

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
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.Condition;
import io.usageplans.Decision;
import io.usageplans.FailMode;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.PathPattern;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.ResponseSettings;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.internal.KeyCsv;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads a plan file, YAML or JSON (the same structure; a {@code .json} file is read as strict JSON, anything else as
 * YAML 1.2; both with lines), into a {@link Catalog}. Field names follow AWS API Gateway's usage-plan model.
 *
 * <p>Every problem of the file is reported at once, in file order, each naming the file, the line, the entry and
 * the value: one problem is thrown as it is, several as one {@link UsagePlansConfigException} whose
 * {@link UsagePlansConfigException#problems() problems()} lists them (at most
 * {@value UsagePlansConfigException#MAX_LISTED}; the message counts the rest). A bad entry is reported and left
 * out, and reading goes on with the next one; only a file that is not YAML/JSON at all, is empty, or is beyond a limit
 * stops at its first problem. Problems that would only follow from one already reported are not reported: a field that
 * looks missing in a map with a misspelled field, a key on a plan that has problems of its own.
 *
 * <p>Any file is safe to read: one larger than {@value #MAX_BYTES} (default {@value #DEFAULT_MAX_BYTES} bytes, enough
 * for a million keys) is refused before it is read; lists and maps nested more than {@value #MAX_DEPTH} levels, a value
 * of more than {@value #MAX_VALUE_CHARS} characters and, in YAML, a line of more than {@value #MAX_LINE_CHARS} are
 * refused with their line (the YAML scanner's time grows with the square of the longest line); the keys of
 * {@code apiKeys} are read one at a time, never all as node trees at once. Keys may also come from a CSV file in
 * AWS's import format, named by {@code apiKeysFile}.
 */
public final class PlanFile {

    /** The setting that limits the size of a plan file and of its keys file, in bytes. */
    public static final String MAX_BYTES = "usageplans.config.max-bytes";
    /** 256 MiB: a million keys in the README's block style with descriptions take about 130 MB. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** The deepest nesting of lists and maps read; a plan file needs 8. */
    public static final int MAX_DEPTH = 50;
    /** The longest value (a name, a body template, a description), in characters. */
    public static final int MAX_VALUE_CHARS = 65_536;
    /** The longest line of a YAML plan file, in characters (JSON has no such limit). */
    public static final int MAX_LINE_CHARS = 1 << 20;
    /** The most aliases to lists or maps (a YAML "billion laughs" needs many). */
    private static final int MAX_ALIASES = 10;
    /** The largest array the JVM makes, which bounds what one file can be. */
    private static final long LARGEST_ARRAY = Integer.MAX_VALUE - 16;

    private static final Set<String> TOP_FIELDS = Set.of("api", "plans", "apiKeys", "apiKeysFile", "excludePaths", "responses",
            "skip", "only");
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
    private final Limits limits;
    private final Map<String, Integer> lineOfEntry = new LinkedHashMap<>();
    /** Where each key came from (by name), for problems found after it was read. */
    private final KeyOrigins keyOrigins = new KeyOrigins();
    /** The problems found so far, at most {@link UsagePlansConfigException#MAX_LISTED}. */
    private final List<UsagePlansConfigException> problems = new ArrayList<>();
    /** Problems found beyond those kept: only counted, so a garbage file cannot make a huge message. */
    private int dropped;
    /** Maps with an unknown (likely misspelled) field: a field missing from them is not reported as missing too. */
    private final Set<Node> misspelled = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * What bounds reading, and how to find a keys file named relative to a plan file on the classpath: the size limit in
     * bytes and where it was set (null: the default), and the class loader.
     */
    record Limits(long maxBytes, String origin, ClassLoader loader) {

        /** The limit of the setting {@value #MAX_BYTES} as {@code parameter}, system property or environment variable give it. */
        static Limits of(java.util.function.UnaryOperator<String> parameter, ClassLoader loader) {
            Optional<Setting> setting = Setting.find(MAX_BYTES, parameter);
            if (setting.isEmpty()) {
                return new Limits(DEFAULT_MAX_BYTES, null, loader);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,19})\\s*(?:([kKmMgG])(?:i?[bB])?)?")
                    .matcher(setting.get().value());
            long bytes = -1;
            if (m.matches()) {
                try {
                    int shift = m.group(2) == null ? 0 : switch (Character.toUpperCase(m.group(2).charAt(0))) {
                        case 'K' -> 10;
                        case 'M' -> 20;
                        default -> 30;
                    };
                    long number = Long.parseLong(m.group(1));
                    bytes = number > (LARGEST_ARRAY >> shift) ? Long.MAX_VALUE : number << shift;
                } catch (NumberFormatException e) {
                    bytes = Long.MAX_VALUE;
                }
            }
            if (bytes < 1 || bytes > LARGEST_ARRAY) {
                throw new UsagePlansConfigException(setting.get().origin(), "must be a number of bytes from 1 to " + LARGEST_ARRAY
                        + " (like 536870912, 512M or 1G), was '" + setting.get().value() + "'");
            }
            return new Limits(bytes, setting.get().origin(), loader);
        }

        /** The problem with a file of {@code size} bytes (or more), or null when it may be read. */
        String problemWithSize(String what, long size, boolean atLeast) {
            if (size <= maxBytes) {
                return null;
            }
            return what + " has " + (atLeast ? "more bytes than the limit of " : format(size) + " bytes, more than the limit of ")
                    + format(maxBytes) + " (" + (origin == null ? "the default of the setting " + MAX_BYTES : origin)
                    + "); to read it, raise " + MAX_BYTES + " (init-param, context-param, system property, or environment "
                    + "variable " + Setting.environmentName(MAX_BYTES) + ")";
        }
    }

    private PlanFile(String source, Limits limits) {
        this.source = source;
        this.limits = limits;
    }

    /** Reads a plan file from disk. */
    public static Catalog load(Path file) {
        return load(file, Limits.of(null, defaultLoader()));
    }

    static Catalog load(Path file, Limits limits) {
        String source = file.toString();
        return parse(readText(file, source, "the plan file", limits), source, limits);
    }

    /** Reads a plan file from a stream; {@code source} names it in error messages. */
    public static Catalog load(InputStream in, String source) {
        return load(in, source, Limits.of(null, defaultLoader()));
    }

    static Catalog load(InputStream in, String source, Limits limits) {
        return parse(readText(in, source, "the plan file", limits), source, limits);
    }

    /** Parses plan-file text; {@code source} names it in error messages (a path, or {@code classpath:...}). */
    public static Catalog parse(String text, String source) {
        return parse(text, source, Limits.of(null, defaultLoader()));
    }

    static Catalog parse(String text, String source, Limits limits) {
        String problem = limits.problemWithSize("the plan file", text.length(), false); // characters: at most the bytes
        if (problem != null) {
            throw new UsagePlansConfigException(source, null, 0, problem);
        }
        try {
            return new PlanFile(source, limits).read(text);
        } catch (StackOverflowError e) { // nothing here recurses on the file's nesting; should anything, this is the answer
            throw new UsagePlansConfigException(source, null, 0, "the plan file is nested too deeply to be read");
        }
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : PlanFile.class.getClassLoader();
    }

    /** The file as text, refused before it is read when it is larger than the limit. */
    private static String readText(Path file, String source, String what, Limits limits) {
        try {
            String problem = limits.problemWithSize(what, Files.size(file), false);
            if (problem != null) {
                throw new UsagePlansConfigException(source, null, 0, problem);
            }
            try (InputStream in = Files.newInputStream(file)) {
                return readText(in, source, what, limits);
            }
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read " + what + ": " + e);
        }
    }

    /** The stream as text; reading stops, and fails, at the first byte beyond the limit. */
    private static String readText(InputStream stream, String source, String what, Limits limits) {
        try (InputStream in = stream) {
            byte[] bytes = in.readNBytes((int) Math.min(limits.maxBytes() + 1, LARGEST_ARRAY));
            String problem = limits.problemWithSize(what, bytes.length, true);
            if (problem != null) {
                throw new UsagePlansConfigException(source, null, 0, problem);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read " + what + ": " + e);
        }
    }

    /** The root node, with the keys of a top-level {@code apiKeys} list read into {@code keys} as they come. */
    private Optional<Node> compose(String text, List<ApiKey> keys) {
        Iterator<Event> events;
        if (source.toLowerCase(Locale.ROOT).endsWith(".json")) {
            JsonEvents json = new JsonEvents(text, source, MAX_VALUE_CHARS);
            if (json.isBlank()) {
                return Optional.empty();
            }
            events = json;
        } else {
            checkLineLengths(text);
            events = new ParserImpl(YAML, new StreamReader(YAML, text));
        }
        NodeComposer composer = new NodeComposer(events, source, MAX_DEPTH, MAX_VALUE_CHARS, MAX_ALIASES, "apiKeys",
                node -> {
                    ApiKey key = attempt(() -> apiKey(node, indexEntry("apiKeys", node), source));
                    if (key != null) {
                        keys.add(key);
                    }
                    misspelled.remove(node); // read and done: nothing of a key's nodes stays
                });
        try {
            return composer.compose();
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new UsagePlansConfigException(source, null, line, "not valid YAML/JSON: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new UsagePlansConfigException(source, null, 0, "not valid YAML/JSON: " + e.getMessage());
        }
    }

    /**
     * YAML's parser takes time in the square of a line's length (20 MB on one line: minutes), so long lines are refused
     * before it reads them. A line of a plan file is short; only a huge value makes a long one.
     */
    private void checkLineLengths(String text) {
        int line = 1;
        for (int start = 0; start < text.length(); line++) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            if (end - start > MAX_LINE_CHARS && text.indexOf('\r', start) < 0) { // a file with CR line ends is counted below
                throw new UsagePlansConfigException(source, null, line, "a line of " + format(end - start) + " characters; a line "
                        + "of a YAML plan file may have at most " + format(MAX_LINE_CHARS) + " and a value at most "
                        + format(MAX_VALUE_CHARS));
            }
            start = end + 1;
        }
        if (text.indexOf('\r') >= 0) {
            int length = 0;
            line = 1;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || c == '\r') {
                    if (!(c == '\n' && i > 0 && text.charAt(i - 1) == '\r')) {
                        line++;
                    }
                    length = 0;
                } else if (++length > MAX_LINE_CHARS) {
                    throw new UsagePlansConfigException(source, null, line, "a line of more than " + format(MAX_LINE_CHARS)
                            + " characters; a line of a YAML plan file may have at most " + format(MAX_LINE_CHARS)
                            + " and a value at most " + format(MAX_VALUE_CHARS));
                }
            }
        }
    }

    /** How YAML is read: duplicate keys are reported by {@link #fields}; the parser's own size limit is ours. */
    private static final LoadSettings YAML = LoadSettings.builder().setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(MAX_ALIASES).setCodePointLimit((int) LARGEST_ARRAY).setBufferSize(1 << 16).build();

    private Catalog read(String text) {
        List<ApiKey> keys = new ArrayList<>();
        Optional<Node> root = compose(text, keys);
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

        // keys: those of a top-level apiKeys list were read while composing; an alias to a list is read here
        for (Node node : orEmpty(attempt(() -> list(top.get("apiKeys"), "apiKeys")))) {
            ApiKey key = attempt(() -> apiKey(node, indexEntry("apiKeys", node), source));
            if (key != null) {
                keys.add(key);
            }
        }
        Node keysFile = top.get("apiKeysFile");
        if (keysFile != null && !isNull(keysFile)) {
            attempt(() -> readKeysFile(keysFile, keys));
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
        List<ApiKey> checked = new ArrayList<>(keys.size());
        for (ApiKey key : keys) {
            List<String> checkable = null; // only when some plan is left out
            for (int i = 0; i < key.plans().size(); i++) {
                String plan = key.plans().get(i);
                if (!goodPlans.contains(plan)) {
                    if (checkable == null) {
                        checkable = new ArrayList<>(key.plans().subList(0, i));
                    }
                    if (allPlansNamed && !planNames.contains(plan)) {
                        report(keyProblem("apiKeys[" + key.name() + "].plans", "unknown plan '" + plan + "'; known plans are "
                                + planNames));
                    }
                } else if (checkable != null) {
                    checkable.add(plan);
                }
            }
            // the rest is checked by the catalog: unique key values, and one plan per stage among the good plans
            checked.add(checkable == null ? key : key.withPlans(checkable));
        }
        keys.clear(); // a million keys need not be held three times
        Catalog catalog = null;
        Catalog.Builder builder = Catalog.builder().api(api).responses(responses).source(source);
        lineOfEntry.forEach(builder::line);
        plans.forEach(builder::plan);
        checked.forEach(builder::apiKey);
        checked.clear();
        excludePaths.forEach(builder::excludePath);
        skip.forEach(builder::skip);
        only.forEach(builder::only);
        try {
            catalog = builder.build();
        } catch (UsagePlansConfigException e) { // every key's problem at once (see Catalog), each placed in its file
            for (UsagePlansConfigException p : e.problems()) {
                report(p.entry() != null && p.entry().startsWith("apiKeys[") ? keyProblem(p.entry(), p.problem())
                        : new UsagePlansConfigException(source, p.entry(), lineOf(p.entry()), p.problem()));
            }
            dropped += e.unlisted();
        }
        if (!problems.isEmpty()) {
            List<UsagePlansConfigException> inFileOrder = new ArrayList<>(problems);
            // the plan file's problems by line, then those of its keys file (stable: equal lines keep their order)
            inFileOrder.sort(Comparator.comparingInt((UsagePlansConfigException p) -> source.equals(p.source()) ? 0 : 1)
                    .thenComparingInt(p -> p.line() > 0 ? p.line() : Integer.MAX_VALUE));
            if (dropped > 0) {
                throw new UsagePlansConfigException(inFileOrder, dropped, false);
            }
            UsagePlansConfigException.throwIfAny(inFileOrder);
        }
        return catalog;
    }

    // ---- keys from a CSV file ----

    /**
     * Reads the keys of the file that {@code apiKeysFile} names (AWS's CSV import format): a path relative to the plan
     * file (on the classpath too, when the plan file is), an absolute path, or {@code classpath:...}.
     */
    private Void readKeysFile(Node node, List<ApiKey> keys) {
        String location = requiredString(node, "apiKeysFile");
        String csvSource;
        String text;
        if (location.startsWith("classpath:") || (source.startsWith("classpath:") && !location.startsWith("file:")
                && !Path.of(location).isAbsolute())) {
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length())
                    : folderOf(source.substring("classpath:".length())) + location;
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            csvSource = "classpath:" + resource;
            InputStream in = limits.loader() == null ? null : limits.loader().getResourceAsStream(resource);
            if (in == null) {
                throw error(node, "apiKeysFile", "the keys file " + csvSource + " is not on the classpath");
            }
            text = readText(in, csvSource, "the keys file", limits);
        } else {
            Path path = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
            if (!path.isAbsolute() && !source.startsWith("classpath:")) {
                path = Path.of(source).resolveSibling(path);
            }
            csvSource = path.toString();
            if (!Files.isRegularFile(path)) {
                throw error(node, "apiKeysFile", "the keys file " + location + " does not exist (resolved to "
                        + path.toAbsolutePath() + ")");
            }
            text = readText(path, csvSource, "the keys file", limits);
        }
        if (text.isBlank()) {
            throw new UsagePlansConfigException(csvSource, null, 0, "the keys file is empty; it needs a header line "
                    + "(key,name,description,enabled,usageplanIds) and one line per key");
        }
        KeyCsv.read(text, row -> {
            ApiKey key = attempt(() -> csvKey(row, csvSource));
            if (key != null) {
                keys.add(key);
            }
        }, p -> report(new UsagePlansConfigException(csvSource, null, p.line(), p.column() == null && p.message().startsWith("has ")
                ? "this line " + p.message() : p.message())));
        return null;
    }

    /** {@code conf/} of {@code conf/usage-plans.yaml}; "" for a resource at the root. */
    private static String folderOf(String resource) {
        return resource.substring(0, resource.lastIndexOf('/') + 1);
    }

    /** A key of the keys file, or {@link Reported} when it has problems (all of them reported). */
    private ApiKey csvKey(KeyCsv.Row row, String csvSource) {
        int before = found();
        String name = row.name().isEmpty() ? null : row.name();
        String entry = name == null ? "apiKeys[line " + row.line() + "]" : "apiKeys[" + name + "]";
        if (name == null) {
            report(new UsagePlansConfigException(csvSource, entry + ".name", row.line(), "is required"));
        } else if (!keyOrigins.add(name, csvSource, row.line(), row.line())) {
            report(new UsagePlansConfigException(csvSource, entry, row.line(), "key '" + name
                    + "' is defined twice; key names must be unique"));
        }
        ApiKey.Builder key = ApiKey.builder(name == null ? "-" : name).description(row.description().isEmpty() ? null
                : row.description());
        String valueProblem = ApiKey.problemWithValue(row.key());
        if (valueProblem != null) {
            report(new UsagePlansConfigException(csvSource, entry + ".key", row.line(), "the key value " + valueProblem
                    + " (" + ApiKey.mask(row.key()) + ")"));
        } else {
            key.value(row.key());
        }
        Boolean enabled = row.enabledValue();
        if (enabled == null) {
            report(new UsagePlansConfigException(csvSource, entry + ".enabled", row.line(), "must be true or false, was '"
                    + row.enabled() + "'"));
        }
        failIfFound(before);
        return key.enabled(enabled).plans(row.plans()).build();
    }

    /**
     * Where the keys came from, by name: the file (the plan file or its keys file), the line of the key and of its
     * plans. Two ints and a reference per key, where map entries of "apiKeys[name]" strings would be a few hundred
     * bytes: this lives as long as reading does, for a million keys too.
     */
    private static final class KeyOrigins {
        private final Map<String, Integer> index = new HashMap<>();
        private int[] lines = new int[64];
        private int[] plansLines = new int[64];
        private String[] sources = new String[64];
        private int size;

        /** Records the first key of {@code name}; false (and nothing recorded) when the name was seen before. */
        boolean add(String name, String source, int line, int plansLine) {
            if (index.putIfAbsent(name, size) != null) {
                return false;
            }
            if (size == lines.length) {
                lines = java.util.Arrays.copyOf(lines, size * 2);
                plansLines = java.util.Arrays.copyOf(plansLines, size * 2);
                sources = java.util.Arrays.copyOf(sources, size * 2);
            }
            lines[size] = line;
            plansLines[size] = plansLine;
            sources[size++] = source;
            return true;
        }

        boolean contains(String name) {
            return index.containsKey(name);
        }

        /** The index of the key of {@code entry} ({@code apiKeys[name]} or {@code apiKeys[name].plans}), or -1. */
        int of(String entry) {
            String name = entry.endsWith("].plans") ? entry.substring("apiKeys[".length(), entry.length() - "].plans".length())
                    : entry.endsWith("]") ? entry.substring("apiKeys[".length(), entry.length() - 1) : null;
            Integer i = name == null ? null : index.get(name);
            return i == null ? -1 : i;
        }
    }

    /** A problem with a key found after it was read, placed in its file at its line (or at its plans' line). */
    private UsagePlansConfigException keyProblem(String entry, String problem) {
        int i = keyOrigins.of(entry);
        if (i < 0) {
            return new UsagePlansConfigException(source, entry, 0, problem);
        }
        int line = entry.endsWith(".plans") ? keyOrigins.plansLines[i] : keyOrigins.lines[i];
        return new UsagePlansConfigException(keyOrigins.sources[i], entry, line, problem);
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
            plan.throttle(throttle);
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
            if (value < Throttle.MIN_RATE || value > Throttle.MAX_RATE) {
                throw error(rate, entry + ".rateLimit", "must be between 0.001 (one request per 1,000 s) and 999,999,999,999 "
                        + "requests per second, so that the RateLimit fields can state it, was " + scalar(rate));
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
        return Throttle.rateLimit(rateLimit).burstLimit(burstLimit);
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
    private ApiKey apiKey(Node node, String fallbackEntry, String keySource) {
        int before = found();
        Map<String, Node> f = fields(node, fallbackEntry, KEY_FIELDS);
        String name = attempt(() -> requiredString(f.get("name"), fallbackEntry + ".name", node));
        String entry = name == null ? fallbackEntry : "apiKeys[" + name + "]";
        Node plansNode = f.get("plans");
        boolean firstOfName = name != null && keyOrigins.add(name, keySource, line(node), line(plansNode != null ? plansNode : node));
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
        for (Node p : orEmpty(attempt(() -> list(plansNode, entry + ".plans")))) {
            String plan = attempt(() -> requiredString(p, entry + ".plans"));
            if (plan != null) {
                plans.add(plan);
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

    private static String format(long number) {
        return String.format(Locale.ROOT, "%,d", number);
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
