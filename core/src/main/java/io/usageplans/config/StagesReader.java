package io.usageplans.config;

import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.line;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.usageplans.MethodKey;
import io.usageplans.StageSettings;
import io.usageplans.Throttle;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * The top-level {@code stages} list: each stage's limits for all callers together, as AWS's stage settings
 * ({@code throttle}: method key, or {@code * /*} for the default, to {@code { rateLimit, burstLimit }}) and the methods
 * metered without a key ({@code keyless}: method key to the plan that meters each client address).
 */
final class StagesReader {

    static final Set<String> STAGE_FIELDS = Set.of("stage", "throttle", "keyless");
    static final Set<String> THROTTLE_FIELDS = Set.of("rateLimit", "burstLimit");

    private final PlanNodes nodes;
    private final Problems problems;
    private final EntryLines lines;
    private final LimitReader limits;

    StagesReader(PlanNodes nodes, Problems problems, EntryLines lines) {
        this.nodes = nodes;
        this.problems = problems;
        this.lines = lines;
        this.limits = new LimitReader(nodes, problems);
    }

    /** Every stage entry read; one with problems is reported and left out. {@code planNames}: every plan the file names. */
    List<StageSettings> stages(Node stagesNode, Set<String> planNames) {
        List<StageSettings> stages = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Node> stageNodes = Problems.orEmpty(problems.attempt(() -> nodes.list(stagesNode, "stages")));
        for (int i = 0; i < stageNodes.size(); i++) {
            Node node = stageNodes.get(i);
            String named = stageName(node);
            String fallback = named != null ? "stages[" + named + "]" : "stages[" + i + "]";
            StageSettings stage = problems.attempt(() -> stage(node, fallback, seen, planNames));
            if (stage != null) {
                stages.add(stage);
            }
        }
        return stages;
    }

    private StageSettings stage(Node node, String fallback, Set<String> seen, Set<String> planNames) {
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, fallback, STAGE_FIELDS);
        String name = problems.attempt(() -> nodes.requiredString(f.get("stage"), fallback + ".stage", node));
        String entry = name == null ? fallback : "stages[" + name + "]";
        if (name != null) {
            if (!seen.add(name)) {
                problems.report(nodes.error(node, entry, "stage '" + name + "' is listed twice; list each stage once"));
            }
            lines.put(entry, line(node));
        }
        Map<MethodKey, Throttle> throttles = new LinkedHashMap<>();
        for (NodeTuple t : methods(f.get("throttle"), entry + ".throttle",
                "a map from method keys (like \"/pets/{petId}/GET\", or \"*/*\" for every method) to { rateLimit, burstLimit }")) {
            MethodKey key = methodKey(t, entry + ".throttle", throttles.keySet());
            String methodEntry = entry + ".throttle[\"" + (key == null ? keyText(t) : key) + "\"]";
            Throttle throttle = problems.attempt(() -> {
                Node value = t.getValueNode();
                if (value == null || isNull(value)) {
                    throw nodes.error(t.getKeyNode(), methodEntry, "needs { rateLimit, burstLimit }");
                }
                return limits.throttle(value, methodEntry, nodes.fields(value, methodEntry, THROTTLE_FIELDS));
            });
            if (key != null && throttle != null) {
                throttles.put(key, throttle);
            }
        }
        Map<MethodKey, String> keyless = new LinkedHashMap<>();
        for (NodeTuple t : methods(f.get("keyless"), entry + ".keyless",
                "a map from method keys (like \"/signup/POST\") to the name of the plan that meters each client address")) {
            MethodKey key = methodKey(t, entry + ".keyless", keyless.keySet());
            String methodEntry = entry + ".keyless[\"" + (key == null ? keyText(t) : key) + "\"]";
            if (key != null && StageSettings.isDefault(key)) {
                problems.report(nodes.error(t.getKeyNode(), methodEntry, "keyless names single methods, like \"/signup/POST\""));
                continue;
            }
            String plan = problems.attempt(() -> {
                String value = nodes.requiredString(t.getValueNode(), methodEntry);
                if (!planNames.contains(value)) {
                    throw nodes.error(t.getValueNode(), methodEntry, "unknown plan '" + value + "'; the plan file defines "
                            + PlanNodes.sorted(planNames));
                }
                return value;
            });
            if (key != null && plan != null) {
                keyless.put(key, plan);
            }
        }
        problems.failIfFound(before);
        if (name == null) {
            throw Reported.INSTANCE;
        }
        return new StageSettings(name, throttles, keyless);
    }

    /** The entry's {@code stage}, to name its problems before it is read; null when it has none that is text. */
    private static String stageName(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof org.snakeyaml.engine.v2.nodes.ScalarNode k && k.getValue().equals("stage")
                        && t.getValueNode() instanceof org.snakeyaml.engine.v2.nodes.ScalarNode v && !v.getValue().isBlank()) {
                    return v.getValue().trim();
                }
            }
        }
        return null;
    }

    private List<NodeTuple> methods(Node node, String entry, String shape) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            problems.report(nodes.error(node, entry, "must be " + shape + ", was " + PlanNodes.describe(node)));
            return List.of();
        }
        return mapping.getValue();
    }

    private static String keyText(NodeTuple t) {
        return PlanNodes.scalar(t.getKeyNode());
    }

    /** The tuple's method key, recorded with its line; null (reported) when it is malformed or given twice. */
    private MethodKey methodKey(NodeTuple t, String mapEntry, Set<MethodKey> seen) {
        String text = problems.attempt(() -> nodes.requiredString(t.getKeyNode(), mapEntry));
        if (text == null) {
            return null;
        }
        String entry = mapEntry + "[\"" + text + "\"]";
        MethodKey key = problems.attempt(() -> {
            try {
                return MethodKey.parse(text);
            } catch (IllegalArgumentException e) {
                throw nodes.error(t.getKeyNode(), entry, e.getMessage() + "; \"*/*\" is every method");
            }
        });
        if (key == null) {
            return null;
        }
        if (seen.contains(key)) {
            problems.report(nodes.error(t.getKeyNode(), entry, "method '" + text + "' is listed twice"));
            return null;
        }
        lines.put(mapEntry + "[\"" + key + "\"]", line(t.getKeyNode()));
        return key;
    }
}
