package io.usageplans.config;

import static io.usageplans.config.PlanNodes.line;
import static io.usageplans.config.Problems.orEmpty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.usageplans.Condition;
import io.usageplans.PathPattern;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.Node;

/** Which requests are metered: the {@code excludePaths} patterns and the {@code skip} and {@code only} conditions. */
final class ScopeReader {

    static final Set<String> CONDITION_FIELDS = Set.of("header", "equals", "matches", "method", "query", "path", "role",
            "class");

    private final PlanNodes nodes;
    private final Problems problems;
    private final EntryLines lines;

    ScopeReader(PlanNodes nodes, Problems problems, EntryLines lines) {
        this.nodes = nodes;
        this.problems = problems;
        this.lines = lines;
    }

    /** The {@code excludePaths} list: path patterns, each checked as it is read. */
    List<String> excludePaths(Node listNode) {
        List<String> excludePaths = new ArrayList<>();
        for (Node node : orEmpty(problems.attempt(() -> nodes.list(listNode, "excludePaths")))) {
            String pattern = problems.attempt(() -> {
                String value = nodes.requiredString(node, "excludePaths");
                String problem = PathPattern.problemWith(value);
                if (problem != null) {
                    throw nodes.error(node, "excludePaths", problem);
                }
                return value;
            });
            if (pattern != null) {
                excludePaths.add(pattern);
            }
        }
        return excludePaths;
    }

    /**
     * The {@code skip} or {@code only} list. Entries are named by position ({@code skip[0]}), and their lines recorded:
     * a {@code class:} condition is only loaded by the adapter, which reports a missing class at that line.
     */
    List<Condition> conditions(Node listNode, String list) {
        List<Condition> conditions = new ArrayList<>();
        List<Node> items = orEmpty(problems.attempt(() -> nodes.list(listNode, list)));
        for (int i = 0; i < items.size(); i++) {
            Node node = items.get(i);
            String entry = list + "[" + i + "]";
            lines.put(entry, line(node));
            Condition condition = problems.attempt(() -> condition(node, entry));
            if (condition != null) {
                conditions.add(condition);
            }
        }
        return conditions;
    }

    /**
     * One of: header (with equals, matches, or alone for "present"), method, query (optionally equals), path, role,
     * class.
     */
    private Condition condition(Node node, String entry) {
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, entry, CONDITION_FIELDS);
        List<String> kinds = f.keySet().stream().filter(k -> !k.equals("equals") && !k.equals("matches")).toList();
        if (kinds.size() != 1) {
            if (kinds.isEmpty() && nodes.hasMisspelledField(node)) {
                throw Reported.INSTANCE; // the misspelled field is likely the kind
            }
            throw nodes.error(node, entry, "needs exactly one of header, method, query, path, role or class, was " + kinds);
        }
        String kind = kinds.get(0);
        String name = problems.attempt(() -> nodes.requiredString(f.get(kind), entry + "." + kind));
        String equals = problems.attempt(() -> nodes.optionalString(f.get("equals"), entry + ".equals"));
        String matches = problems.attempt(() -> nodes.optionalString(f.get("matches"), entry + ".matches"));
        problems.failIfFound(before);
        if (equals != null && matches != null) {
            throw nodes.error(node, entry, "give equals or matches, not both");
        }
        if ((equals != null || matches != null) && !kind.equals("header") && !(kind.equals("query") && matches == null)) {
            throw nodes.error(node, entry, (matches != null ? "matches" : "equals") + " is not supported for " + kind);
        }
        try {
            return new Condition(Condition.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), name,
                    matches != null ? matches : equals, matches != null);
        } catch (IllegalArgumentException e) {
            throw nodes.error(node, entry, e.getMessage());
        }
    }
}
