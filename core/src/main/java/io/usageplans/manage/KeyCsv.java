package io.usageplans.manage;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV as RFC 4180 writes it: comma-separated fields, fields in double quotes may hold commas, line breaks and
 * doubled quotes; lines end with LF or CRLF. Hand-written because it is forty lines and keeps the core free of a
 * CSV library for one import format.
 */
final class KeyCsv {

    /** One line of the file and its fields. */
    record Line(int number, List<String> fields) {
    }

    private KeyCsv() {
    }

    /**
     * The non-blank lines of {@code text}, numbered from 1 as an editor shows them.
     *
     * @throws AdminException if a quoted field is not closed
     */
    static List<Line> parse(String text) {
        List<Line> lines = new ArrayList<>();
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
                addIfNotBlank(lines, startLine, fields);
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
            throw new AdminException(AdminException.Kind.INVALID, "csv", null, "line " + startLine
                    + ": a field opened with \" is never closed", List.of(new AdminException.RowError(startLine, null, null,
                    "a field opened with \" is never closed")));
        }
        fields.add(field.toString());
        addIfNotBlank(lines, startLine, fields);
        return lines;
    }

    private static void addIfNotBlank(List<Line> lines, int number, List<String> fields) {
        if (fields.size() == 1 && fields.get(0).isBlank()) {
            return;
        }
        lines.add(new Line(number, List.copyOf(fields)));
    }
}
