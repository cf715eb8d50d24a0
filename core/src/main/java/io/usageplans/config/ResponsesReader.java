package io.usageplans.config;

import static io.usageplans.config.PlanNodes.describe;
import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.scalar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.usageplans.Decision;
import io.usageplans.ResponseSettings;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** The {@code responses} section: RateLimit headers, and each refusal's status, body, content type and headers. */
final class ResponsesReader {

    static final Set<String> RESPONSES_FIELDS = Set.of("rateLimitHeaders", "bucketShape", "forbidden", "throttled",
            "quotaExceeded", "unavailable");
    static final Set<String> REJECTION_FIELDS = Set.of("status", "body", "contentType", "problem", "headers");

    private final PlanNodes nodes;
    private final Problems problems;

    ResponsesReader(PlanNodes nodes, Problems problems) {
        this.nodes = nodes;
        this.problems = problems;
    }

    ResponseSettings responses(Node node) {
        if (node == null || isNull(node)) {
            return ResponseSettings.DEFAULT;
        }
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, "responses", RESPONSES_FIELDS);
        ResponseSettings.Builder builder = ResponseSettings.builder();
        if (f.containsKey("rateLimitHeaders")) {
            Boolean value = problems.attempt(() -> nodes.bool(f.get("rateLimitHeaders"), "responses.rateLimitHeaders"));
            if (value != null) {
                builder.rateLimitHeaders(value);
            }
        }
        if (f.containsKey("bucketShape")) {
            Boolean value = problems.attempt(() -> nodes.bool(f.get("bucketShape"), "responses.bucketShape"));
            if (value != null) {
                builder.bucketShape(value);
            }
        }
        for (Map.Entry<String, Node> e : f.entrySet()) {
            Decision.Outcome outcome = ResponseSettings.outcomeNamed(e.getKey());
            if (outcome == null || isNull(e.getValue())) {
                continue;
            }
            ResponseSettings.Rejection rejection =
                    problems.attempt(() -> rejection(e.getValue(), "responses." + e.getKey()));
            if (rejection != null) {
                builder.rejection(outcome, rejection);
            }
        }
        problems.failIfFound(before);
        return builder.build();
    }

    /** One refusal's response: {@code { status, body, contentType, problem, headers }}. */
    private ResponseSettings.Rejection rejection(Node node, String entry) {
        int before = problems.found();
        Map<String, Node> r = nodes.fields(node, entry, REJECTION_FIELDS);
        Node statusNode = r.get("status");
        Integer status = statusNode == null ? Integer.valueOf(0) : problems.attempt(() -> {
            long value = nodes.whole(statusNode, entry + ".status");
            if (value < 400 || value > 599) {
                throw nodes.error(statusNode, entry + ".status",
                        "must be an HTTP error status from 400 to 599, was " + scalar(statusNode));
            }
            return (int) value;
        });
        Boolean problem = r.containsKey("problem") ? problems.attempt(() -> nodes.bool(r.get("problem"), entry + ".problem"))
                : Boolean.FALSE;
        Node bodyNode = r.get("body");
        String body = bodyNode == null ? null : problems.attempt(() -> {
            if (!(bodyNode instanceof ScalarNode s)) {
                throw nodes.error(bodyNode, entry + ".body",
                        "must be text (a template; \"\" for no body), was " + describe(bodyNode));
            }
            return s.getValue();
        });
        if (Boolean.TRUE.equals(problem) && body != null) {
            problems.report(nodes.error(bodyNode, entry + ".body", "give either problem: true or a body, not both"));
        }
        Node headersNode = r.get("headers");
        Map<String, String> headers = new LinkedHashMap<>();
        if (headersNode != null && !isNull(headersNode)) {
            if (!(headersNode instanceof MappingNode mapping)) {
                problems.report(nodes.error(headersNode, entry + ".headers", "must be a map of header names to values"));
            } else {
                for (NodeTuple t : mapping.getValue()) {
                    String name = problems.attempt(() -> nodes.requiredString(t.getKeyNode(), entry + ".headers"));
                    String value = problems.attempt(() -> nodes.optionalString(t.getValueNode(), entry + ".headers"));
                    if (name != null) {
                        headers.put(name, value);
                    }
                }
            }
        }
        String contentType = problems.attempt(() -> nodes.optionalString(r.get("contentType"), entry + ".contentType"));
        problems.failIfFound(before);
        ResponseSettings.Rejection.Format format = problem ? ResponseSettings.Rejection.Format.PROBLEM
                : body == null ? ResponseSettings.Rejection.Format.GATEWAY
                : body.isEmpty() ? ResponseSettings.Rejection.Format.EMPTY : ResponseSettings.Rejection.Format.TEMPLATE;
        try {
            return new ResponseSettings.Rejection(status, format, body, contentType, headers);
        } catch (IllegalArgumentException ex) {
            throw nodes.error(node, entry, ex.getMessage());
        }
    }
}
