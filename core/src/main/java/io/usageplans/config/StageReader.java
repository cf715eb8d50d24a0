package io.usageplans.config;

import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.line;
import static io.usageplans.config.PlanNodes.scalar;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.usageplans.ApiStage;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * One of a plan's {@code apiStages}: the stage's name and its method throttles, keyed as AWS keys them
 * ({@code "/pets/{petId}/GET": { rateLimit, burstLimit, cost, bucket, countStatuses }}).
 */
final class StageReader {

    static final Set<String> STAGE_FIELDS = Set.of("stage", "apiId", "throttle");
    static final Set<String> METHOD_FIELDS = Set.of("rateLimit", "burstLimit", "cost", "bucket", "countStatuses");

    private final PlanNodes nodes;
    private final Problems problems;
    private final EntryLines lines;
    private final LimitReader limits;

    StageReader(PlanNodes nodes, Problems problems, EntryLines lines, LimitReader limits) {
        this.nodes = nodes;
        this.problems = problems;
        this.lines = lines;
        this.limits = limits;
    }

    /**
     * One of a plan's apiStages: {@code { stage, throttle: { "/pets/GET": {...}, ... } }}. {@code stages} holds
     * the plan's stages so far; this one's name is added to it, even when the entry has other problems.
     */
    ApiStage stage(Node stageNode, String stageEntry, Set<String> stages) {
        int before = problems.found();
        Map<String, Node> sf = nodes.fields(stageNode, stageEntry, STAGE_FIELDS);
        String stage = problems.attempt(() -> nodes.requiredString(sf.get("stage"), stageEntry + ".stage", stageNode));
        if (stage != null && !stages.add(stage)) {
            problems.report(nodes.error(stageNode, stageEntry + ".stage", "stage '" + stage
                    + "' is listed twice in this plan"));
        }
        Map<MethodKey, MethodSettings> methods = new LinkedHashMap<>();
        Node throttles = sf.get("throttle");
        if (throttles != null && !isNull(throttles)) {
            if (!(throttles instanceof MappingNode mapping)) {
                throw nodes.error(throttles, stageEntry + ".throttle",
                        "must be a map from method keys (like \"/pets/{petId}/GET\") to { rateLimit, burstLimit }");
            }
            Set<MethodKey> seen = new HashSet<>();
            for (NodeTuple t : mapping.getValue()) {
                String keyText = problems.attempt(() -> nodes.requiredString(t.getKeyNode(), stageEntry + ".throttle"));
                String methodEntry = keyText == null ? stageEntry + ".throttle"
                        : stageEntry + ".throttle[\"" + keyText + "\"]";
                MethodKey key = keyText == null ? null : problems.attempt(() -> {
                    try {
                        return MethodKey.parse(keyText);
                    } catch (IllegalArgumentException e) {
                        throw nodes.error(t.getKeyNode(), methodEntry, e.getMessage());
                    }
                });
                if (key != null && !seen.add(key)) {
                    problems.report(nodes.error(t.getKeyNode(), methodEntry, "method '" + keyText + "' is listed twice"));
                } else if (key != null) { // for problems found later, named by the key as it prints
                    String printed = stageEntry + ".throttle[\"" + key + "\"]";
                    lines.put(printed, line(t.getKeyNode()));
                    // a cost or shared bucket is checked with the routes
                    if (t.getValueNode() instanceof MappingNode fields) {
                        for (NodeTuple field : fields.getValue()) {
                            if (field.getKeyNode() instanceof ScalarNode name && METHOD_FIELDS.contains(name.getValue())) {
                                lines.put(printed + "." + name.getValue(), line(field.getKeyNode()));
                            }
                        }
                    }
                }
                MethodSettings settings = problems.attempt(() -> method(t.getValueNode(), methodEntry));
                if (key != null && settings != null) {
                    methods.putIfAbsent(key, settings);
                }
            }
        }
        problems.failIfFound(before);
        if (stage == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return new ApiStage(stage, methods);
    }

    /** A method entry: { rateLimit, burstLimit } with an optional cost and shared bucket, or only a cost. */
    private MethodSettings method(Node node, String entry) {
        if (node == null || isNull(node)) {
            throw nodes.error(node, entry, "needs { rateLimit, burstLimit } and/or a cost");
        }
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, entry, METHOD_FIELDS);
        boolean throttled = f.containsKey("rateLimit") || f.containsKey("burstLimit");
        Throttle throttle = throttled ? problems.attempt(() -> limits.throttle(node, entry, f)) : null;
        Node costNode = f.get("cost");
        Integer cost = costNode == null || isNull(costNode) ? Integer.valueOf(1) : problems.attempt(() -> {
            long value = nodes.whole(costNode, entry + ".cost");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw nodes.error(costNode, entry + ".cost", "must be a whole number of at least 1, was "
                        + scalar(costNode));
            }
            return (int) value;
        });
        String bucket = problems.attempt(() -> nodes.optionalString(f.get("bucket"), entry + ".bucket"));
        if (bucket != null && !throttled) {
            problems.report(nodes.error(f.get("bucket"), entry + ".bucket",
                    "a shared bucket needs rateLimit and burstLimit"));
        } else if (!throttled && costNode == null && !nodes.hasMisspelledField(node)) {
            problems.report(nodes.error(node, entry, "needs { rateLimit, burstLimit } and/or a cost"));
        }
        StatusSet statuses = problems.attempt(() -> limits.countStatuses(node, entry));
        problems.failIfFound(before);
        return new MethodSettings(throttle, cost, bucket, statuses);
    }
}
