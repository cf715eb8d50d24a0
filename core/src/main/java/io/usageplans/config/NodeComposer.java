package io.usageplans.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.usageplans.UsagePlansConfigException;

import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Builds the node tree of a plan file from parser events (snakeyaml-engine's for YAML, {@link JsonEvents} for JSON),
 * the way snakeyaml-engine's own composer does, with three differences that make any input safe to read:
 * <ul>
 *   <li>no recursion: a file nested 20,000 levels deep costs no stack, and nesting deeper than {@code maxDepth} is
 *       refused, with its line, as soon as it is seen;</li>
 *   <li>a value longer than {@code maxValue} characters is refused with its line;</li>
 *   <li>the items of the top-level list {@code streamedField} ({@code apiKeys}) are handed, one by one as each is
 *       complete, to a consumer and then forgotten, so a million keys never exist as a million node trees at once.</li>
 * </ul>
 * Aliases work as in the composer (the anchored node itself, at most {@code maxAliases} of them to collections);
 * an alias to a collection that contains it is refused. Scalars without an explicit tag are tagged {@code str}: the
 * plan file reads every value as text and checks it itself.
 */
final class NodeComposer {

    private final Iterator<Event> events;
    private final String source;
    private final int maxDepth;
    private final int maxValue;
    private final int maxAliases;
    private final String streamedField;
    private final Consumer<Node> streamed;

    private final Map<Anchor, Node> anchors = new HashMap<>();
    /** The collections being read, innermost last. */
    private final List<Open> open = new ArrayList<>();
    private int aliasesToCollections;
    private boolean streamedOnce;

    /** A collection being read: its node, its items (or key/value pairs), and for a map a key waiting for its value. */
    private static final class Open {
        final Node node;
        final List<Node> items; // a sequence's
        final List<NodeTuple> tuples; // a map's
        Node key;
        boolean streaming;

        Open(Node node, List<Node> items, List<NodeTuple> tuples) {
            this.node = node;
            this.items = items;
            this.tuples = tuples;
        }
    }

    NodeComposer(Iterator<Event> events, String source, int maxDepth, int maxValue, int maxAliases, String streamedField,
                 Consumer<Node> streamed) {
        this.events = events;
        this.source = source;
        this.maxDepth = maxDepth;
        this.maxValue = maxValue;
        this.maxAliases = maxAliases;
        this.streamedField = streamedField;
        this.streamed = streamed;
    }

    /** The document's root node; empty for a file without a document. */
    Optional<Node> compose() {
        Node root = null;
        int documents = 0;
        while (events.hasNext()) {
            Event event = events.next();
            Node complete;
            switch (event.getEventId()) {
                case DocumentStart -> {
                    if (++documents > 1) {
                        throw located(event, "a plan file is one YAML document; a second one ('---') starts here");
                    }
                    continue;
                }
                case StreamStart, StreamEnd, DocumentEnd, Comment -> {
                    continue;
                }
                case Scalar -> complete = scalar((ScalarEvent) event);
                case Alias -> complete = alias((AliasEvent) event);
                case SequenceStart, MappingStart -> {
                    start((CollectionStartEvent) event);
                    continue;
                }
                case SequenceEnd, MappingEnd -> complete = end(event);
                default -> throw located(event, "unexpected " + event.getEventId());
            }
            if (open.isEmpty()) {
                root = complete;
            } else {
                add(open.get(open.size() - 1), complete);
            }
        }
        return Optional.ofNullable(root);
    }

    private Node scalar(ScalarEvent event) {
        String value = event.getValue();
        if (value.length() > maxValue) {
            throw located(event, "a value of " + format(value.length()) + " characters; a plan-file value may have at most "
                    + format(maxValue));
        }
        // no implicit tags (int, bool, null...): the plan file reads every value as text and checks it itself, and the
        // resolver's regular expressions were a third of the time a million keys took to read
        Tag tag = event.getTag().isEmpty() || event.getTag().get().equals("!") ? Tag.STR : new Tag(event.getTag().get());
        ScalarNode node = new ScalarNode(tag, true, value, event.getScalarStyle(), event.getStartMark(), event.getEndMark());
        anchor(event, node);
        return node;
    }

    private Node alias(AliasEvent event) {
        Anchor anchor = event.getAlias();
        Node node = anchors.get(anchor);
        if (node == null) {
            throw located(event, "the alias *" + anchor + " names no anchor (&" + anchor + ") before it");
        }
        if (!(node instanceof ScalarNode)) {
            for (Open o : open) {
                if (o.node == node) {
                    throw located(event, "the alias *" + anchor + " refers to a collection that contains it");
                }
            }
            if (++aliasesToCollections > maxAliases) {
                throw located(event, "more than " + maxAliases + " aliases to lists or maps; a plan file needs no more");
            }
        }
        return node;
    }

    private void start(CollectionStartEvent event) {
        if (open.size() >= maxDepth) {
            throw located(event, "lists and maps nested more than " + maxDepth + " levels deep; a plan file needs fewer than 10");
        }
        String explicit = event.getTag().filter(t -> !t.equals("!")).orElse(null);
        Open o;
        if (event.getEventId() == Event.ID.SequenceStart) {
            List<Node> items = new ArrayList<>();
            o = new Open(new SequenceNode(explicit == null ? Tag.SEQ : new Tag(explicit), true, items, event.getFlowStyle(),
                    event.getStartMark(), Optional.empty()), items, null);
            Open parent = open.size() == 1 ? open.get(0) : null;
            if (parent != null && parent.tuples != null && parent.key instanceof ScalarNode key && !streamedOnce
                    && key.getValue().equals(streamedField)) {
                o.streaming = true;
                streamedOnce = true;
            }
        } else {
            List<NodeTuple> tuples = new ArrayList<>();
            o = new Open(new MappingNode(explicit == null ? Tag.MAP : new Tag(explicit), true, tuples, event.getFlowStyle(),
                    event.getStartMark(), Optional.empty()), null, tuples);
        }
        anchor(event, o.node);
        open.add(o);
    }

    private Node end(Event event) {
        Open o = open.remove(open.size() - 1);
        if (o.node instanceof SequenceNode s) {
            s.setEndMark(event.getEndMark());
        } else {
            ((MappingNode) o.node).setEndMark(event.getEndMark());
        }
        return o.node;
    }

    private void add(Open parent, Node node) {
        if (parent.items != null) {
            if (parent.streaming) {
                streamed.accept(node);
            } else {
                parent.items.add(node);
            }
        } else if (parent.key == null) {
            parent.key = node;
        } else {
            parent.tuples.add(new NodeTuple(parent.key, node));
            parent.key = null;
        }
    }

    private void anchor(NodeEvent event, Node node) {
        event.getAnchor().ifPresent(a -> {
            node.setAnchor(Optional.of(a));
            anchors.put(a, node);
        });
    }

    private UsagePlansConfigException located(Event event, String problem) {
        int line = event.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
        return new UsagePlansConfigException(source, null, line, problem);
    }

    private static String format(int number) {
        return String.format(Locale.ROOT, "%,d", number);
    }
}
