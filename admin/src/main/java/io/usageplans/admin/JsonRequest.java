package io.usageplans.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.usageplans.manage.AdminException;
import io.usageplans.manage.AdminException.Kind;

/**
 * A request's JSON object, read by the strict {@link JsonParser}. Every wrong shape or type is an
 * {@link AdminException} naming the field and the value, which the API answers with 400.
 */
final class JsonRequest {

    private final Map<String, Object> fields;

    private JsonRequest(Map<String, Object> fields) {
        this.fields = fields;
    }

    /**
     * Reads {@code body} as a JSON object whose fields are all in {@code allowed}; an empty body is an empty object
     * when {@code emptyAllowed}.
     */
    static JsonRequest parse(String body, boolean emptyAllowed, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            if (emptyAllowed) {
                return new JsonRequest(Map.of());
            }
            throw new AdminException(Kind.INVALID, "body", null, "the body is empty; send a JSON object with some of the fields "
                    + new TreeSet<>(allowed));
        }
        Object parsed;
        try {
            parsed = JsonParser.parse(body);
        } catch (JsonParser.MalformedJsonException e) {
            throw new AdminException(Kind.INVALID, "body", null, "the body is not valid JSON: " + e.getMessage() + " at line "
                    + e.line() + ", column " + e.column());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new AdminException(Kind.INVALID, "body", null, "the body must be a JSON object with some of the fields "
                    + new TreeSet<>(allowed));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (!allowed.contains(name)) {
                throw new AdminException(Kind.INVALID, name, null, "unknown field '" + Problem.shorten(name, 100)
                        + "'; the fields are " + new TreeSet<>(allowed));
            }
            fields.put(name, e.getValue());
        }
        return new JsonRequest(fields);
    }

    boolean has(String field) {
        return fields.containsKey(field);
    }

    boolean isEmpty() {
        return fields.isEmpty();
    }

    int fieldsCount() {
        return fields.size();
    }

    Object raw(String field) {
        return fields.get(field);
    }

    /** A string field (numbers and booleans are taken as written); null when absent. */
    String string(String field) {
        return asString(field, fields.get(field));
    }

    /** A boolean field, {@code true} or {@code false} (also as a string, as AWS's patch values are); null when absent. */
    Boolean bool(String field) {
        return asBoolean(field, fields.get(field));
    }

    /** A whole number field (also as a string, as AWS's patch values are); null when absent. */
    Long number(String field) {
        return asNumber(field, fields.get(field));
    }

    /** A list of strings; null when absent. */
    List<String> strings(String field) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new AdminException(Kind.INVALID, field, String.valueOf(value), field + " must be a list of names, e.g. [\"basic\"]");
        }
        List<String> names = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String name)) {
                throw new AdminException(Kind.INVALID, field, String.valueOf(item), field + " must hold names (strings)");
            }
            names.add(name);
        }
        return names;
    }

    /** A list of objects (AWS's {@code patchOperations}); null when absent. */
    List<Map<?, ?>> objects(String field) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        List<Map<?, ?>> objects = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    objects.add(map);
                } else {
                    throw new AdminException(Kind.INVALID, field, String.valueOf(item), field + " must be a list of objects");
                }
            }
            return objects;
        }
        throw new AdminException(Kind.INVALID, field, String.valueOf(value), field + " must be a list of objects");
    }

    static String asString(String field, Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Long || value instanceof JsonParser.BigNumber || value instanceof Boolean) {
            return value.toString();
        }
        throw new AdminException(Kind.INVALID, field, String.valueOf(value), field + " must be a string");
    }

    static Boolean asBoolean(String field, Object value) {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String text && (text.equals("true") || text.equals("false"))) {
            return Boolean.valueOf(text);
        }
        throw new AdminException(Kind.INVALID, field, String.valueOf(value), field + " must be true or false");
    }

    static Long asNumber(String field, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof String text && text.trim().matches("-?[0-9]{1,18}")) {
            return Long.valueOf(text.trim());
        }
        if (value instanceof JsonParser.BigNumber number && number.whole()) {
            throw new AdminException(Kind.INVALID, field, number.text(), field + " is too large");
        }
        throw new AdminException(Kind.INVALID, field, String.valueOf(value), field + " must be a whole number");
    }
}
