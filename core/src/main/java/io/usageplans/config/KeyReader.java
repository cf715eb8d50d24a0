package io.usageplans.config;

import static io.usageplans.config.PlanNodes.indexEntry;
import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.line;
import static io.usageplans.config.Problems.orEmpty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The keys of the plan file's {@code apiKeys} list, one node at a time (a million of them never exist as node trees at
 * once), and the problems found with a key after it was read, placed in its file at its line.
 */
final class KeyReader {

    static final Set<String> KEY_FIELDS = Set.of("name", "description", "value", "valueSha256", "enabled", "plans");

    private final PlanNodes nodes;
    private final Problems problems;
    private final KeyOrigins origins;

    KeyReader(PlanNodes nodes, Problems problems, KeyOrigins origins) {
        this.nodes = nodes;
        this.problems = problems;
        this.origins = origins;
    }

    /** An entry of {@code apiKeys}, or {@code null} when it has problems (all of them reported). */
    ApiKey apiKey(Node node) {
        return problems.attempt(() -> apiKey(node, indexEntry("apiKeys", node)));
    }

    /** A key, or {@link Reported} when it has problems (all of them reported); a second key of a name is one. */
    private ApiKey apiKey(Node node, String fallbackEntry) {
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, fallbackEntry, KEY_FIELDS);
        String name = problems.attempt(() -> nodes.requiredString(f.get("name"), fallbackEntry + ".name", node));
        String entry = name == null ? fallbackEntry : "apiKeys[" + name + "]";
        Node plansNode = f.get("plans");
        boolean firstOfName = name != null && origins.add(name, nodes.source(), line(node),
                line(plansNode != null ? plansNode : node));
        if (name != null && !firstOfName) {
            problems.report(nodes.error(node, entry, "key '" + name + "' is defined twice; key names must be unique"));
        }
        ApiKey.Builder key = ApiKey.builder(name == null ? "-" : name);
        String description = problems.attempt(() -> nodes.optionalString(f.get("description"), entry + ".description"));
        Node value = f.get("value");
        Node hash = f.get("valueSha256");
        if ((value == null) == (hash == null)) {
            if (value != null || !nodes.hasMisspelledField(node)) { // with a misspelled field, that may be the value
                problems.report(nodes.error(node, entry, value == null ? "needs a 'value' or a 'valueSha256'"
                        : "has both 'value' and 'valueSha256'; give one"));
            }
        } else if (value != null) {
            problems.attempt(() -> {
                // not trimmed: spaces are a problem to report, not to hide
                String text = nodes.rawString(value, entry + ".value");
                String problem = ApiKey.problemWithValue(text);
                if (problem != null) {
                    throw nodes.error(value, entry + ".value", "the key value " + problem + " (" + ApiKey.mask(text) + ")");
                }
                return key.value(text);
            });
        } else {
            problems.attempt(() -> {
                String text = nodes.requiredString(hash, entry + ".valueSha256");
                try {
                    return key.valueSha256(text);
                } catch (IllegalArgumentException e) {
                    // it may be a key value written in the wrong field: never print it in full
                    throw nodes.error(hash, entry + ".valueSha256", "must be 64 hexadecimal digits (the SHA-256 of the key "
                            + "value), was " + text.length() + " characters (" + ApiKey.mask(text) + ")");
                }
            });
        }
        Node enabled = f.get("enabled");
        if (enabled != null && !isNull(enabled)) {
            problems.attempt(() -> key.enabled(nodes.bool(enabled, entry + ".enabled")));
        }
        List<String> plans = new ArrayList<>();
        for (Node p : orEmpty(problems.attempt(() -> nodes.list(plansNode, entry + ".plans")))) {
            String plan = problems.attempt(() -> nodes.requiredString(p, entry + ".plans"));
            if (plan != null) {
                plans.add(plan);
            }
        }
        problems.failIfFound(before);
        if (name == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return key.description(description).plans(plans).build();
    }

    /**
     * The keys, each without the plans the file does not define well: a plan left out for its own problems is not
     * unknown, so only a plan no entry names ({@code planNames}) is reported, and only when every plan entry has a
     * readable name ({@code allPlansNamed}; a plan entry without one, or a misspelled top-level field, may be any plan).
     */
    List<ApiKey> onReadPlans(List<ApiKey> keys, Set<String> goodPlans, Set<String> planNames, boolean allPlansNamed) {
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
                        problems.report(problem("apiKeys[" + key.name() + "].plans", "unknown plan '" + plan
                                + "'; known plans are " + planNames));
                    }
                } else if (checkable != null) {
                    checkable.add(plan);
                }
            }
            // the rest is checked by the catalog: unique key values, and one plan per stage among the good plans
            checked.add(checkable == null ? key : key.withPlans(checkable));
        }
        return checked;
    }

    /** A problem with a key found after it was read, placed in its file at its line (or at its plans' line). */
    UsagePlansConfigException problem(String entry, String problem) {
        return origins.problem(entry, problem, nodes.source());
    }
}
