package io.usageplans.config;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Condition;
import io.usageplans.ResponseSettings;
import io.usageplans.UsagePlansConfigException;
import org.snakeyaml.engine.v2.nodes.Node;

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
 *
 * <p>This class is the entry point and reads the top level; {@link PlanDocument} turns the text into nodes,
 * {@link PlanNodes} reads them with located errors, and one reader per section does the rest: {@link PlanReader}
 * (with {@link StageReader} and {@link LimitReader}), {@link KeyReader}, {@link KeysFileReader}, {@link ScopeReader}
 * and {@link ResponsesReader}.
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

    private static final Set<String> TOP_FIELDS = Set.of("api", "plans", "apiKeys", "apiKeysFile", "excludePaths", "responses",
            "skip", "only", "stages");

    private final String source;
    private final PlanFileInput input;
    private final Problems problems = new Problems();
    private final PlanNodes nodes;
    private final EntryLines lines = new EntryLines();
    /** Where each key came from (by name), for problems found after it was read. */
    private final KeyOrigins keyOrigins = new KeyOrigins();
    private final KeyReader keyReader;

    private PlanFile(String source, PlanFileInput input) {
        this.source = source;
        this.input = input;
        this.nodes = new PlanNodes(source, problems);
        this.keyReader = new KeyReader(nodes, problems, keyOrigins);
    }

    /** Reads a plan file from disk. */
    public static Catalog load(Path file) {
        return load(file, PlanFileInput.defaults());
    }

    static Catalog load(Path file, PlanFileInput input) {
        String source = file.toString();
        return parse(input.read(file, source, "the plan file"), source, input);
    }

    /** Reads a plan file from a stream; {@code source} names it in error messages. */
    public static Catalog load(InputStream in, String source) {
        return load(in, source, PlanFileInput.defaults());
    }

    static Catalog load(InputStream in, String source, PlanFileInput input) {
        return parse(input.read(in, source, "the plan file"), source, input);
    }

    /** Parses plan-file text; {@code source} names it in error messages (a path, or {@code classpath:...}). */
    public static Catalog parse(String text, String source) {
        return parse(text, source, PlanFileInput.defaults());
    }

    static Catalog parse(String text, String source, PlanFileInput input) {
        String problem = input.problemWithSize("the plan file", text.length(), false); // characters: at most the bytes
        if (problem != null) {
            throw new UsagePlansConfigException(source, null, 0, problem);
        }
        try {
            return new PlanFile(source, input).read(text);
        } catch (StackOverflowError e) { // nothing here recurses on the file's nesting; should anything, this is the answer
            throw new UsagePlansConfigException(source, null, 0, "the plan file is nested too deeply to be read");
        }
    }

    private Catalog read(String text) {
        List<ApiKey> keys = new ArrayList<>();
        Optional<Node> root = PlanDocument.compose(text, source, node -> {
            ApiKey key = keyReader.apiKey(node);
            if (key != null) {
                keys.add(key);
            }
            nodes.forget(node); // read and done: nothing of a key's nodes stays
        });
        if (root.isEmpty()) {
            throw new UsagePlansConfigException(source, null, 0, "the plan file is empty; it needs at least 'plans'");
        }
        Map<String, Node> top = nodes.fields(root.get(), "", TOP_FIELDS); // not a map: nothing else can be read
        boolean topComplete = !nodes.hasMisspelledField(root.get());
        String api = problems.attempt(() -> nodes.optionalString(top.get("api"), "api"));

        // plans: each bad one is reported and left out; keys on it are then not checked against it (see KeyReader)
        PlanReader.Plans plans = new PlanReader(nodes, problems, lines).plans(top.get("plans"), root.get(), topComplete);

        // keys: those of a top-level apiKeys list were read while composing; an alias to a list is read here
        for (Node node : Problems.orEmpty(problems.attempt(() -> nodes.list(top.get("apiKeys"), "apiKeys")))) {
            ApiKey key = keyReader.apiKey(node);
            if (key != null) {
                keys.add(key);
            }
        }
        Node keysFile = top.get("apiKeysFile");
        if (keysFile != null && !PlanNodes.isNull(keysFile)) {
            problems.attempt(() -> {
                new KeysFileReader(nodes, problems, keyOrigins, input).read(keysFile, keys);
                return null;
            });
        }
        List<io.usageplans.StageSettings> stages = new StagesReader(nodes, problems, lines).stages(top.get("stages"), plans.names());
        ScopeReader scope = new ScopeReader(nodes, problems, lines);
        List<String> excludePaths = scope.excludePaths(top.get("excludePaths"));
        ResponsesReader responses = new ResponsesReader(nodes, problems);
        ResponseSettings responseSettings = problems.attempt(() -> responses.responses(top.get("responses")));
        List<Condition> skip = scope.conditions(top.get("skip"), "skip");
        List<Condition> only = scope.conditions(top.get("only"), "only");

        Set<String> goodPlans = new HashSet<>();
        plans.plans().forEach(p -> goodPlans.add(p.name()));
        List<ApiKey> checked = keyReader.onReadPlans(keys, goodPlans, plans.names(), plans.allNamed());
        keys.clear(); // a million keys need not be held three times
        Catalog catalog = null;
        Catalog.Builder builder = Catalog.builder().api(api).responses(responseSettings).source(source);
        lines.forEach(builder::line);
        plans.plans().forEach(builder::plan);
        stages.forEach(builder::stage);
        checked.forEach(builder::apiKey);
        checked.clear();
        excludePaths.forEach(builder::excludePath);
        skip.forEach(builder::skip);
        only.forEach(builder::only);
        try {
            catalog = builder.build();
        } catch (UsagePlansConfigException e) { // every key's problem at once (see Catalog), each placed in its file
            for (UsagePlansConfigException p : e.problems()) {
                problems.report(p.entry() != null && p.entry().startsWith("apiKeys[")
                        ? keyReader.problem(p.entry(), p.problem())
                        : new UsagePlansConfigException(source, p.entry(), lines.lineOf(p.entry()), p.problem()));
            }
            problems.countUnlisted(e.unlisted());
        }
        problems.throwIfAny(source);
        return catalog;
    }
}
