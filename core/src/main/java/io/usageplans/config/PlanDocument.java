package io.usageplans.config;

import static io.usageplans.config.PlanFile.MAX_DEPTH;
import static io.usageplans.config.PlanFile.MAX_LINE_CHARS;
import static io.usageplans.config.PlanFile.MAX_VALUE_CHARS;

import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

import io.usageplans.UsagePlansConfigException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A plan file's text as a node tree: YAML 1.2 by snakeyaml-engine's parser, or strict JSON by {@link JsonEvents} for a
 * {@code .json} file, both composed by {@link NodeComposer} within the limits of {@link PlanFile} (depth, value length,
 * aliases, and for YAML line length), each refusal naming the file and the line.
 */
final class PlanDocument {

    /** The most aliases to lists or maps (a YAML "billion laughs" needs many). */
    private static final int MAX_ALIASES = 10;

    /** How YAML is read: duplicate keys are reported by {@link PlanNodes#fields}; the parser's own size limit is ours. */
    private static final LoadSettings YAML = LoadSettings.builder().setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(MAX_ALIASES).setCodePointLimit((int) PlanFileInput.LARGEST_ARRAY)
            .setBufferSize(1 << 16).build();

    private PlanDocument() {
    }

    /**
     * The root node of {@code text} ({@code source} names the file; a {@code .json} one is read as JSON), empty when it
     * has none; the items of a top-level {@code apiKeys} list go to {@code keys} as each is complete, not into the tree.
     */
    static Optional<Node> compose(String text, String source, Consumer<Node> keys) {
        Iterator<Event> events;
        if (source.toLowerCase(Locale.ROOT).endsWith(".json")) {
            JsonEvents json = new JsonEvents(text, source, MAX_VALUE_CHARS);
            if (json.isBlank()) {
                return Optional.empty();
            }
            events = json;
        } else {
            checkLineLengths(text, source);
            events = new ParserImpl(YAML, new StreamReader(YAML, text));
        }
        NodeComposer composer = new NodeComposer(events, source, MAX_DEPTH, MAX_VALUE_CHARS, MAX_ALIASES, "apiKeys", keys);
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
    private static void checkLineLengths(String text, String source) {
        int line = 1;
        for (int start = 0; start < text.length(); line++) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            if (end - start > MAX_LINE_CHARS && text.indexOf('\r', start) < 0) { // a file with CR line ends is counted below
                throw new UsagePlansConfigException(source, null,
                        line, "a line of " + PlanNodes.format(end - start) + " characters; a line "
                        + "of a YAML plan file may have at most " + PlanNodes.format(MAX_LINE_CHARS) + " and a value at most "
                        + PlanNodes.format(MAX_VALUE_CHARS));
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
                    throw new UsagePlansConfigException(source, null,
                            line, "a line of more than " + PlanNodes.format(MAX_LINE_CHARS)
                            + " characters; a line of a YAML plan file may have at most " + PlanNodes.format(MAX_LINE_CHARS)
                            + " and a value at most " + PlanNodes.format(MAX_VALUE_CHARS));
                }
            }
        }
    }
}
