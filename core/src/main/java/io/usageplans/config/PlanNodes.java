package io.usageplans.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.usageplans.UsagePlansConfigException;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The node layer of a plan file: typed reads of the nodes {@link NodeComposer} builds (every scalar tagged as text,
 * every node with its line), each failing with a problem that names the file, the line, the entry and the value.
 * The section readers ({@link PlanReader}, {@link KeyReader}, ...) read the file through it.
 *
 * <p>It remembers the maps with an unknown (likely misspelled) field: a field missing from such a map is not reported
 * as missing too, since the misspelled one is likely it.
 */
final class PlanNodes {

    /** A YAML/JSON number: no Java suffixes (10f), no hex, no NaN. */
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private final String source;
    private final Problems problems;
    /** Maps with an unknown (likely misspelled) field: a field missing from them is not reported as missing too. */
    private final Set<Node> misspelled = Collections.newSetFromMap(new IdentityHashMap<>());

    PlanNodes(String source, Problems problems) {
        this.source = source;
        this.problems = problems;
    }

    /** The file these nodes are of, as error messages name it. */
    String source() {
        return source;
    }

    /** Whether the map {@code node} has a field that is not allowed there (reported already). */
    boolean hasMisspelledField(Node node) {
        return misspelled.contains(node);
    }

    /** Forgets {@code node}, read and done (a streamed key: nothing of it stays). */
    void forget(Node node) {
        misspelled.remove(node);
    }

    /**
     * The fields of a map. An unknown field is reported and left out (the others are still read); a node that is
     * not a map fails.
     */
    Map<String, Node> fields(Node node, String entry, Set<String> allowed) {
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
                problems.report(error(t.getKeyNode(), at, "unknown field '" + key + "'; allowed here: " + sorted(allowed)));
            } else if (result.putIfAbsent(key, t.getValueNode()) != null) {
                problems.report(error(t.getKeyNode(), at, "field '" + key + "' is given twice"));
            }
        }
        return result;
    }

    List<Node> list(Node node, String entry) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(node, entry, "must be a list, was " + describe(node));
        }
        return sequence.getValue();
    }

    /** {@code plans[premium]} when the entry has a name, {@code plans[line 7]} while it has none. */
    static String indexEntry(String list, Node node) {
        String name = nameOf(node);
        return name != null ? list + "[" + name + "]" : list + "[line " + line(node) + "]";
    }

    /** The name of a plan or key entry, or {@code null} when it has none that is text. */
    static String nameOf(Node node) {
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
    Node required(Node node, String entry, Node parent) {
        if (node == null && misspelled.contains(parent)) {
            throw Problems.Reported.INSTANCE;
        }
        if (node == null || isNull(node)) {
            throw error(node == null ? parent : node, entry, "is required");
        }
        return node;
    }

    String requiredString(Node node, String entry, Node parent) {
        return requiredString(required(node, entry, parent), entry);
    }

    String requiredString(Node node, String entry) {
        if (!(node instanceof ScalarNode s) || isNull(node)) {
            throw error(node, entry, "must be text, was " + describe(node));
        }
        String value = s.getValue().trim();
        if (value.isEmpty()) {
            throw error(node, entry, "must not be empty");
        }
        return value;
    }

    String rawString(Node node, String entry) {
        if (!(node instanceof ScalarNode s) || isNull(node)) {
            throw error(node, entry, "must be text, was " + (node instanceof ScalarNode ? "empty" : describe(node)));
        }
        return s.getValue();
    }

    String optionalString(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode s)) {
            throw error(node, entry, "must be text, was " + describe(node));
        }
        return s.getValue();
    }

    boolean bool(Node node, String entry) {
        String text = scalar(node);
        if (!text.equals("true") && !text.equals("false")) {
            throw error(node, entry, "must be true or false, was '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    double decimal(Node node, String entry) {
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

    long whole(Node node, String entry) {
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

    static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : describe(node);
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.isPlain()
                && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
    }

    static String describe(Node node) {
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

    static String format(long number) {
        return String.format(Locale.ROOT, "%,d", number);
    }

    static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    static int line(Node node) {
        return node == null ? 0 : node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    UsagePlansConfigException error(Node node, String entry, String problem) {
        return new UsagePlansConfigException(source, entry, line(node), problem);
    }
}
