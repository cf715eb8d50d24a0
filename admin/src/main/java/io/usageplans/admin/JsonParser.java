package io.usageplans.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads RFC 8259 JSON, and nothing else, into maps, lists, strings, longs, booleans and nulls: no comments, single
 * quotes, trailing commas, bare words, YAML, NaN or leading zeros; a field named twice and an unpaired surrogate are
 * refused. Nesting stops at {@value #MAX_DEPTH}, so no body can exhaust the stack. Hand-written (two hundred lines,
 * measured against JSONTestSuite) so that the admin jar asks no JSON library of the application's server.
 */
final class JsonParser {

    /** The deepest nesting of arrays and objects read; the API's own bodies nest three deep. */
    static final int MAX_DEPTH = 32;

    /**
     * A number that is not a whole number within a long, kept as written: the API takes whole numbers only, and a
     * thousand digits must not cost a thousand-digit conversion.
     */
    record BigNumber(String text, boolean whole) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** Why the text is not JSON, and where: line and column from 1, counted in characters. */
    static final class MalformedJsonException extends RuntimeException {
        private final int line;
        private final int column;

        MalformedJsonException(String problem, int line, int column) {
            super(problem, null, false, false);
            this.line = line;
            this.column = column;
        }

        int line() {
            return line;
        }

        int column() {
            return column;
        }
    }

    private final String text;
    private int pos;
    private int depth;

    private JsonParser(String text) {
        this.text = text;
    }

    /**
     * The one JSON value that is {@code text}, with whitespace around it (and a leading byte order mark) allowed.
     *
     * @throws MalformedJsonException naming the first problem and where it is
     */
    static Object parse(String text) {
        JsonParser parser = new JsonParser(text);
        if (text.startsWith("\uFEFF")) {
            parser.pos = 1;
        }
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.pos < text.length()) {
            throw parser.malformed("expected the end of the body after the JSON value, found " + parser.found());
        }
        return value;
    }

    private Object value() {
        if (pos >= text.length()) {
            throw malformed("expected a JSON value, found the end of the body");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw malformed("expected a JSON value, found " + found());
            }
        };
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> fields = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return fields;
        }
        while (true) {
            if (peek() != '"') {
                throw malformed("expected a field name in double quotes, found " + found());
            }
            int nameAt = pos;
            String name = string();
            skipWhitespace();
            expect(':', "after the field name");
            skipWhitespace();
            Object value = value();
            if (fields.containsKey(name)) {
                pos = nameAt;
                throw malformed("the field '" + Problem.shorten(name, 100) + "' appears twice");
            }
            fields.put(name, value);
            skipWhitespace();
            if (peek() == ',') {
                pos++;
                skipWhitespace();
            } else if (peek() == '}') {
                pos++;
                depth--;
                return fields;
            } else {
                throw malformed("expected ',' or '}' after a field, found " + found());
            }
        }
    }

    private List<Object> array() {
        enter();
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return elements;
        }
        while (true) {
            elements.add(value());
            skipWhitespace();
            if (peek() == ',') {
                pos++;
                skipWhitespace();
            } else if (peek() == ']') {
                pos++;
                depth--;
                return elements;
            } else {
                throw malformed("expected ',' or ']' after an element, found " + found());
            }
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw malformed("it nests more than " + MAX_DEPTH + " arrays and objects");
        }
        pos++;
    }

    private String string() {
        int start = ++pos; // after the opening quote
        StringBuilder escaped = null;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                String value = escaped == null ? text.substring(start, pos) : escaped.append(text, start, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                throw malformed(String.format("a control character (U+%04X) in a string; JSON writes it as an escape such "
                        + "as \\n or \\u%04x", (int) c, (int) c));
            }
            if (c == '\\') {
                if (escaped == null) {
                    escaped = new StringBuilder();
                }
                escaped.append(text, start, pos);
                escape(escaped);
                start = pos;
            } else if (Character.isSurrogate(c)) {
                // strictly decoded UTF-8 never holds an unpaired surrogate, but a String given directly may
                if (!Character.isHighSurrogate(c) || pos + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(pos + 1))) {
                    throw malformed("an unpaired surrogate U+" + String.format("%04X", (int) c) + " in a string");
                }
                pos += 2;
            } else {
                pos++;
            }
        }
        throw malformed("a string is not closed: the body ends before its closing \"");
    }

    /** Appends the escape at {@code pos} (a backslash) and moves past it. */
    private void escape(StringBuilder out) {
        if (pos + 1 >= text.length()) {
            throw malformed("a string is not closed: the body ends in an escape");
        }
        char c = text.charAt(pos + 1);
        switch (c) {
            case '"', '\\', '/' -> out.append(c);
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                char unit = hex4(pos + 2);
                if (Character.isHighSurrogate(unit)) {
                    if (pos + 12 <= text.length() && text.startsWith("\\u", pos + 6)) {
                        char low = hex4(pos + 8);
                        if (Character.isLowSurrogate(low)) {
                            out.append(unit).append(low);
                            pos += 12;
                            return;
                        }
                    }
                    throw malformed("an unpaired surrogate \\u" + text.substring(pos + 2, pos + 6) + " in a string");
                }
                if (Character.isLowSurrogate(unit)) {
                    throw malformed("an unpaired surrogate \\u" + text.substring(pos + 2, pos + 6) + " in a string");
                }
                out.append(unit);
                pos += 6;
                return;
            }
            default -> throw malformed("an unknown escape \\" + (c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : c)
                    + " in a string; JSON's escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
        }
        pos += 2;
    }

    private char hex4(int at) {
        if (at + 4 > text.length()) {
            throw malformed("a \\u escape needs four hexadecimal digits");
        }
        int value = 0;
        for (int i = at; i < at + 4; i++) {
            char c = text.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                throw malformed("a \\u escape needs four hexadecimal digits");
            }
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw malformed("a number must not start with 0");
            }
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw malformed("expected a digit after '-', found " + found());
        }
        boolean whole = true;
        if (peek() == '.') {
            pos++;
            whole = false;
            if (!isDigit(peek())) {
                throw malformed("expected a digit after '.', found " + found());
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            whole = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw malformed("expected a digit in the exponent, found " + found());
            }
            digits();
        }
        String number = text.substring(start, pos);
        if (whole && number.length() <= 20) {
            try {
                return Long.parseLong(number);
            } catch (NumberFormatException e) {
                // beyond a long: kept as written
            }
        }
        return new BigNumber(number, whole);
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw malformed("expected a JSON value, found " + found());
        }
        pos += word.length();
        return value;
    }

    private void expect(char c, String where) {
        if (peek() != c) {
            throw malformed("expected '" + c + "' " + where + ", found " + found());
        }
        pos++;
    }

    /** The character at {@code pos}, or -1 at the end. */
    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** What is at {@code pos}, for a message: {@code 'x'}, {@code U+00A0} or {@code the end of the body}. */
    private String found() {
        if (pos >= text.length()) {
            return "the end of the body";
        }
        int c = text.codePointAt(pos);
        return c > 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    private MalformedJsonException malformed(String problem) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(pos, text.length());
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return new MalformedJsonException(problem, line, end - lineStart + 1);
    }
}
