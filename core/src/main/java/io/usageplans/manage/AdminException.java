package io.usageplans.manage;

import java.util.List;

/**
 * An operator's request that cannot be carried out, with what was wrong: the field and the value (key values are
 * masked), and for a CSV import every bad row. Adapters turn {@link #kind()} into an HTTP status.
 */
public final class AdminException extends RuntimeException {

    /** What kind of problem, and the HTTP status an API answers with. */
    public enum Kind {
        INVALID(400, "Bad Request"),
        NOT_FOUND(404, "Not Found"),
        CONFLICT(409, "Conflict"),
        NOT_SUPPORTED(501, "Not Implemented");

        private final int status;
        private final String title;

        Kind(int status, String title) {
            this.status = status;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String title() {
            return title;
        }
    }

    /** One bad row of an import: its line in the file (the header is line 1), the column, the value and why. */
    public record RowError(int row, String field, String value, String message) {
    }

    private final Kind kind;
    private final String field;
    private final String value;
    private final List<RowError> rows;

    public AdminException(Kind kind, String field, String value, String message) {
        this(kind, field, value, message, List.of());
    }

    public AdminException(Kind kind, String field, String value, String message, List<RowError> rows) {
        super(message);
        this.kind = kind;
        this.field = field;
        this.value = value;
        this.rows = List.copyOf(rows);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field that was wrong, or null. */
    public String field() {
        return field;
    }

    /** The value that was wrong (masked when it is a key value), or null. */
    public String value() {
        return value;
    }

    /** For an import: every bad row; empty otherwise. */
    public List<RowError> rows() {
        return rows;
    }
}
