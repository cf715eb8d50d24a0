package io.usageplans.admin;

import java.util.Map;
import java.util.Set;

import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;

/**
 * One of AWS's {@code patchOperations}, {@code {"op":"replace","path":"/enabled","value":"false"}}. {@link #of} takes
 * only {@code replace} of the paths an operation supports (keys, quotas); {@link #read} takes any op and path, for an
 * operation whose paths are checked where they are applied (plans: {@code add}, {@code remove}, {@code replace}).
 *
 * @param op         e.g. {@code replace}
 * @param path       e.g. {@code /remaining}
 * @param value      the value as sent (AWS sends strings)
 * @param valueField where the value is, for error messages: {@code patchOperations[0].value}
 */
record PatchOperation(String op, String path, Object value, String valueField) {

    private static final Set<String> FIELDS = Set.of("op", "path", "value", "from");

    /** A {@code replace} of one of {@code paths}; anything else is a 400 naming the field and value. */
    static PatchOperation of(Map<?, ?> operation, int index, Set<String> paths) {
        PatchOperation read = read(operation, index);
        String at = "patchOperations[" + index + "]";
        if (!"replace".equals(read.op)) {
            throw new AdminException(Kind.INVALID, at + ".op", read.op, "only the op 'replace' is supported here");
        }
        if (read.path == null || !paths.contains(read.path)) {
            throw new AdminException(Kind.INVALID, at + ".path", read.path, "the path must be one of " + paths);
        }
        return read;
    }

    /** The operation as sent, with op and path as text (either may be null); its fields are checked, nothing else. */
    static PatchOperation read(Map<?, ?> operation, int index) {
        String at = "patchOperations[" + index + "]";
        for (Object name : operation.keySet()) {
            if (!FIELDS.contains(String.valueOf(name))) {
                throw new AdminException(Kind.INVALID, at + "." + name, null, "unknown field '" + name
                        + "' in a patch operation; it has op, path and value");
            }
        }
        String op = JsonRequest.asString(at + ".op", operation.get("op"));
        String path = JsonRequest.asString(at + ".path", operation.get("path"));
        return new PatchOperation(op, path, operation.get("value"), at + ".value");
    }

    /** The value as text (AWS sends strings; numbers and booleans are taken as written); null when absent. */
    String text() {
        return JsonRequest.asString(valueField, value);
    }
}
