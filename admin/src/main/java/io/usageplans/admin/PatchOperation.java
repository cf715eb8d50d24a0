package io.usageplans.admin;

import java.util.Map;
import java.util.Set;

import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;

/**
 * One of AWS's {@code patchOperations}, {@code {"op":"replace","path":"/enabled","value":"false"}}: only
 * {@code replace} of the paths the operation supports.
 *
 * @param path       e.g. {@code /remaining}
 * @param value      the value as sent (AWS sends strings)
 * @param valueField where the value is, for error messages: {@code patchOperations[0].value}
 */
record PatchOperation(String path, Object value, String valueField) {

    static PatchOperation of(Map<?, ?> operation, int index, Set<String> paths) {
        String at = "patchOperations[" + index + "]";
        for (Object name : operation.keySet()) {
            if (!Set.of("op", "path", "value", "from").contains(String.valueOf(name))) {
                throw new AdminException(Kind.INVALID, at + "." + name, null, "unknown field '" + name
                        + "' in a patch operation; it has op, path and value");
            }
        }
        String op = JsonRequest.asString(at + ".op", operation.get("op"));
        if (!"replace".equals(op)) {
            throw new AdminException(Kind.INVALID, at + ".op", op, "only the op 'replace' is supported here");
        }
        String path = JsonRequest.asString(at + ".path", operation.get("path"));
        if (path == null || !paths.contains(path)) {
            throw new AdminException(Kind.INVALID, at + ".path", path, "the path must be one of " + paths);
        }
        return new PatchOperation(path, operation.get("value"), at + ".value");
    }
}
