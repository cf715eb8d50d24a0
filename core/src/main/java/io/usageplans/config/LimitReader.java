package io.usageplans.config;

import static io.usageplans.config.PlanNodes.isNull;
import static io.usageplans.config.PlanNodes.scalar;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.config.Problems.Reported;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The limits of a plan or method entry: a {@code throttle} ({@code rateLimit}, {@code burstLimit}), a {@code quota}
 * ({@code limit}, {@code period}, {@code offset}, {@code timeZone}) and their {@code countStatuses}.
 */
final class LimitReader {

    static final Set<String> THROTTLE_FIELDS = Set.of("rateLimit", "burstLimit", "countStatuses");
    static final Set<String> QUOTA_FIELDS = Set.of("limit", "period", "offset", "timeZone", "countStatuses");

    private final PlanNodes nodes;
    private final Problems problems;

    LimitReader(PlanNodes nodes, Problems problems) {
        this.nodes = nodes;
        this.problems = problems;
    }

    /** The optional countStatuses of a throttle, quota or method entry: "2xx", [401, 403], "400-499". */
    StatusSet countStatuses(Node parent, String entry) {
        Node node = parent instanceof MappingNode mapping ? mapping.getValue().stream()
                .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("countStatuses"))
                .map(NodeTuple::getValueNode).findFirst().orElse(null) : null;
        if (node == null || isNull(node)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                parts.add(nodes.requiredString(item, entry + ".countStatuses"));
            }
        } else {
            parts.addAll(List.of(nodes.requiredString(node, entry + ".countStatuses").split(",")));
        }
        try {
            return StatusSet.parse(parts);
        } catch (IllegalArgumentException e) {
            throw nodes.error(node, entry + ".countStatuses", e.getMessage());
        }
    }

    Throttle throttle(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        return throttle(node, entry, nodes.fields(node, entry, THROTTLE_FIELDS));
    }

    Throttle throttle(Node node, String entry, Map<String, Node> f) {
        int before = problems.found();
        Double rateLimit = problems.attempt(() -> {
            Node rate = nodes.required(f.get("rateLimit"), entry + ".rateLimit", node);
            double value = nodes.decimal(rate, entry + ".rateLimit");
            if (!(value > 0)) {
                throw nodes.error(rate, entry + ".rateLimit",
                        "must be a number of requests per second greater than 0 (like 10 or 0.5), "
                        + "was " + scalar(rate));
            }
            if (value < Throttle.MIN_RATE || value > Throttle.MAX_RATE) {
                throw nodes.error(rate, entry + ".rateLimit",
                        "must be between 0.001 (one request per 1,000 s) and 999,999,999,999 "
                        + "requests per second, so that the RateLimit fields can state it, was " + scalar(rate));
            }
            return value;
        });
        Integer burstLimit = problems.attempt(() -> {
            Node burst = nodes.required(f.get("burstLimit"), entry + ".burstLimit", node);
            long value = nodes.whole(burst, entry + ".burstLimit");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw nodes.error(burst, entry + ".burstLimit",
                        "must be a whole number of requests of at least 1, was " + scalar(burst));
            }
            return (int) value;
        });
        problems.failIfFound(before);
        if (rateLimit == null || burstLimit == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return Throttle.rateLimit(rateLimit).burstLimit(burstLimit);
    }

    Quota quota(Node node, String entry) {
        if (node == null || isNull(node)) {
            return null;
        }
        int before = problems.found();
        Map<String, Node> f = nodes.fields(node, entry, QUOTA_FIELDS);
        Long limit = problems.attempt(() -> {
            Node limitNode = nodes.required(f.get("limit"), entry + ".limit", node);
            long value = nodes.whole(limitNode, entry + ".limit");
            if (value < 1) {
                throw nodes.error(limitNode, entry + ".limit",
                        "must be a whole number of requests of at least 1, was " + scalar(limitNode));
            }
            return value;
        });
        QuotaPeriod period = problems.attempt(() -> {
            Node periodNode = nodes.required(f.get("period"), entry + ".period", node);
            String periodText = nodes.requiredString(periodNode, entry + ".period");
            try {
                return QuotaPeriod.valueOf(periodText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw nodes.error(periodNode, entry + ".period",
                        "unknown period '" + periodText + "'; use DAY, WEEK or MONTH");
            }
        });
        Node offsetNode = f.get("offset");
        Integer offset = offsetNode == null || isNull(offsetNode) ? Integer.valueOf(0) : problems.attempt(() -> {
            long value = nodes.whole(offsetNode, entry + ".offset");
            if (period != null && (value < 0 || value > period.maxOffset())) { // without a period, only its form is checked
                throw nodes.error(offsetNode, entry + ".offset", "for period " + period + " must be "
                        + switch (period) {
                            case DAY -> "0";
                            case WEEK -> "0 (Sunday) to 6 (Saturday)";
                            case MONTH -> "0 (the 1st) to 27 (the 28th)";
                        } + ", was " + scalar(offsetNode));
            }
            return (int) value;
        });
        Node zoneNode = f.get("timeZone");
        ZoneId zone = zoneNode == null || isNull(zoneNode) ? null : problems.attempt(() -> {
            String zoneText = nodes.requiredString(zoneNode, entry + ".timeZone");
            try {
                return ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw nodes.error(zoneNode, entry + ".timeZone", "unknown time zone '" + zoneText
                        + "'; use an IANA zone id like UTC, Europe/Berlin or America/New_York");
            }
        });
        problems.failIfFound(before);
        if (limit == null || period == null) {
            throw Reported.INSTANCE; // missing from a map with a misspelled field, reported as that
        }
        return new Quota(limit, period, offset, zone);
    }
}
