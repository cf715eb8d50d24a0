package io.usageplans.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * AWS's CSV format for importing API keys, read for the admin API's import and for a plan file's {@code apiKeysFile}:
 * a header naming the columns, in any order and case, {@code key} and {@code name} required, {@code description},
 * {@code enabled} ({@code true}/{@code false}, default {@code true}) and {@code usageplanIds} (plan names separated by
 * {@code ;}, or by {@code ,} inside quotes); then one line per key.
 *
 * <p>The text is CSV as RFC 4180 writes it: comma-separated fields, fields in double quotes may hold commas, line
 * breaks and doubled quotes; lines end with LF or CRLF; blank lines are skipped. Hand-written because it is sixty lines
 * and keeps the core free of a CSV library for one import format. Rows are handed on one at a time, so a file of a
 * million keys is never held as a million parsed lines.
 */
public final class KeyCsv {

    /** The columns, lower case. */
    public static final Set<String> COLUMNS = Set.of("key", "name", "description", "enabled", "usageplanids");

    private static final java.util.regex.Pattern PLAN_SEPARATOR = java.util.regex.Pattern.compile("[;,|]");

    /** A problem with a line: its number (from 1, as an editor shows it), the column or null, the value or null, and what. */
    public record Problem(int line, String column, String value, String message) {
    }

    /** One key's line, its fields trimmed ("" for a column the header does not have). */
    public record Row(int line, String key, String name, String description, String enabled, String usagePlanIds) {

        /** {@code enabled} as a boolean: blank is true; null when it is neither true nor false. */
        public Boolean enabledValue() {
            return switch (enabled.toLowerCase(Locale.ROOT)) {
                case "", "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> null;
            };
        }

        /** The plan names of {@code usageplanIds}, separated by {@code ;}, {@code ,} or {@code |}. */
        public List<String> plans() {
            List<String> plans = new ArrayList<>();
            for (String plan : PLAN_SEPARATOR.split(usagePlanIds)) {
                if (!plan.isBlank()) {
                    plans.add(plan.trim());
                }
            }
            return plans;
        }
    }

    private KeyCsv() {
    }

    /**
     * Reads {@code text}: each key's line goes to {@code rows}, each problem to {@code problems} (a header that names
     * an unknown column, a column twice or misses {@code key} or {@code name}; a line with another number of fields
     * than the header; a quote never closed). After a problem with the header no line is read.
     *
     * @return how many key lines there were, with or without problems
     */
    public static int read(String text, Consumer<Row> rows, Consumer<Problem> problems) {
        Map<String, Integer> columns = new HashMap<>();
        int[] header = {0}; // its field count, once read
        int[] count = {0};
        boolean[] stop = {false};
        lines(text, (number, fields) -> {
            if (stop[0]) {
                return;
            }
            if (header[0] == 0) {
                header[0] = fields.size();
                for (int i = 0; i < fields.size(); i++) {
                    String column = fields.get(i).trim().toLowerCase(Locale.ROOT);
                    if (!COLUMNS.contains(column)) {
                        problems.accept(new Problem(number, fields.get(i), null, "unknown column '" + fields.get(i)
                                + "'; the columns are key, name, description, enabled and usageplanIds"));
                        stop[0] = true;
                    } else if (columns.putIfAbsent(column, i) != null) {
                        problems.accept(new Problem(number, fields.get(i), null, "column '" + column + "' appears twice"));
                        stop[0] = true;
                    }
                }
                for (String required : List.of("key", "name")) {
                    if (!columns.containsKey(required)) {
                        problems.accept(new Problem(number, required, null, "the header has no column '" + required + "'"));
                        stop[0] = true;
                    }
                }
                return;
            }
            count[0]++;
            if (fields.size() != header[0]) {
                problems.accept(new Problem(number, null, null, "has " + fields.size() + " fields, the header has " + header[0]));
                return;
            }
            rows.accept(new Row(number, field(fields, columns, "key"), field(fields, columns, "name"),
                    field(fields, columns, "description"), field(fields, columns, "enabled"), field(fields, columns, "usageplanids")));
        }, problems);
        return count[0];
    }

    private static String field(List<String> fields, Map<String, Integer> columns, String column) {
        Integer index = columns.get(column);
        return index == null ? "" : fields.get(index).trim();
    }

    /** Receives one non-blank line of the file: its number and its fields. */
    private interface LineConsumer {
        void line(int number, List<String> fields);
    }

    /** The non-blank lines of {@code text}, numbered from 1 as an editor shows them; a quote never closed is a problem. */
    private static void lines(String text, LineConsumer consumer, Consumer<Problem> problems) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int lineNumber = 1;
        int startLine = 1;
        boolean quoted = false;
        boolean wasQuoted = false;
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < body.length() && body.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    if (c == '\n') {
                        lineNumber++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < body.length() && body.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                emitIfNotBlank(consumer, startLine, fields);
                fields = new ArrayList<>();
                field.setLength(0);
                wasQuoted = false;
                lineNumber++;
                startLine = lineNumber;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            problems.accept(new Problem(startLine, null, null, "a field opened with \" is never closed"));
            return;
        }
        fields.add(field.toString());
        emitIfNotBlank(consumer, startLine, fields);
    }

    private static void emitIfNotBlank(LineConsumer consumer, int number, List<String> fields) {
        if (fields.size() == 1 && fields.get(0).isBlank()) {
            return;
        }
        consumer.line(number, fields);
    }
}
