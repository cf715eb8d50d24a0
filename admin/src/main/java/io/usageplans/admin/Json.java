package io.usageplans.admin;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.usageplans.JsonStrings;

/**
 * Writes the admin API's JSON from maps, lists, strings, numbers, booleans, dates and nulls. Hand-written so that
 * users get no JSON library on their class path for a dozen small documents.
 */
final class Json {

    private Json() {
    }

    /** An insertion-ordered object under construction: {@code Json.object().put("a", 1).put("b", list)}. */
    static Obj object() {
        return new Obj();
    }

    /** A JSON object whose fields keep the order they were put in. */
    static final class Obj {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        Obj put(String name, Object value) {
            fields.put(name, value);
            return this;
        }

        Map<String, Object> fields() {
            return fields;
        }

        @Override
        public String toString() {
            return write(this);
        }
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            JsonStrings.quote(out, text);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Double number) {
            out.append(number.isNaN() || number.isInfinite() ? "null" : number.toString());
        } else if (value instanceof Instant || value instanceof LocalDate || value instanceof Enum<?>) {
            JsonStrings.quote(out, value.toString());
        } else if (value instanceof Obj obj) {
            append(out, obj.fields());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonStrings.quote(out, String.valueOf(e.getKey()));
                out.append(':');
                append(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                append(out, list.get(i));
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }
}
