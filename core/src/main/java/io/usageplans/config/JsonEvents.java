package io.usageplans.config;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

import io.usageplans.UsagePlansConfigException;

import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ImplicitTuple;
import org.snakeyaml.engine.v2.events.MappingEndEvent;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceEndEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;

/**
 * Reads JSON as RFC 8259 defines it, strictly, and hands it on as the events a YAML parser would produce, so a
 * {@code .json} plan file is composed and checked exactly like a YAML one, with lines. Everything JSON does not allow
 * is refused with its line and column: trailing commas, comments, single quotes, unquoted keys or values, control
 * characters in strings, leading zeros, {@code NaN}, a second value after the first.
 *
 * <p>Hand-written rather than Jakarta JSON Processing: the core must not bring a JSON stack into applications (JSON-P
 * is absent on Tomcat and Jetty), and this needs only what JSON-P's parser would give plus YAML events. It is a pull
 * reader with no recursion: nesting depth costs no stack, and {@link NodeComposer} refuses deep nesting as it comes.
 * Strings longer than {@code maxString} characters are refused as soon as they are seen, so one huge value costs
 * no more than reading it.
 */
final class JsonEvents implements Iterator<Event> {

    private static final int[] NO_BUFFER = new int[0];

    /** What may come next inside a container (or at the top). */
    private enum Expect {
        VALUE, // top level, after a key's colon
        FIRST_KEY_OR_END, KEY, COLON, COMMA_OR_OBJECT_END, // objects
        FIRST_VALUE_OR_END, COMMA_OR_ARRAY_END, // arrays
        NOTHING // after the top-level value
    }

    private final String text;
    private final String source;
    private final int maxString;
    private int pos;
    private int line;
    private int lineStart;
    /** Open containers, innermost last: true for an object. */
    private boolean[] open = new boolean[16];
    private int depth;
    private Expect expect = Expect.VALUE;
    private boolean ended;

    JsonEvents(String text, String source, int maxString) {
        this.text = text;
        this.source = source;
        this.maxString = maxString;
        this.pos = text.startsWith("\uFEFF") ? 1 : 0; // a byte order mark, which RFC 8259 lets a reader ignore
    }

    /** Whether the text holds only white space (an empty plan file, reported as such). */
    boolean isBlank() {
        for (int i = pos; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean hasNext() {
        if (ended) {
            return false;
        }
        if (expect == Expect.NOTHING) {
            skipWhitespace();
            if (pos < text.length()) {
                throw fail("after the plan file's one JSON value, " + describe(pos) + " follows; a JSON text is one value");
            }
            ended = true;
            return false;
        }
        return true;
    }

    @Override
    public Event next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        while (true) {
            skipWhitespace();
            if (pos >= text.length()) {
                throw fail(depth == 0 ? "the JSON text has no value" : "the JSON text ends inside "
                        + (open[depth - 1] ? "an object: a '}' is missing" : "an array: a ']' is missing"));
            }
            char c = text.charAt(pos);
            switch (expect) {
                case VALUE:
                    return value();
                case FIRST_KEY_OR_END:
                    if (c == '}') {
                        return end();
                    }
                    // fall through
                case KEY:
                    if (c == '"') {
                        expect = Expect.COLON;
                        return string();
                    }
                    if (c == '}') {
                        throw fail("a trailing comma before '}' is not JSON; remove the last ','");
                    }
                    if (c == ',') {
                        throw fail("an object key is missing before ','");
                    }
                    throw fail(c == '\'' ? "object keys are written in double quotes, not single quotes"
                            : c == '/' || c == '#' ? "comments are not JSON" : "an object key must be a string in double "
                            + "quotes, found " + describe(pos));
                case COLON:
                    if (c != ':') {
                        throw fail("a ':' must follow an object key, found " + describe(pos));
                    }
                    pos++;
                    expect = Expect.VALUE;
                    continue;
                case COMMA_OR_OBJECT_END:
                    if (c == ',') {
                        pos++;
                        expect = Expect.KEY;
                        continue;
                    }
                    if (c == '}') {
                        return end();
                    }
                    throw fail(commentOr(c, "a ',' or '}' must follow an object's value, found " + describe(pos)));
                case FIRST_VALUE_OR_END:
                    if (c == ']') {
                        return end();
                    }
                    return value();
                case COMMA_OR_ARRAY_END:
                    if (c == ',') {
                        pos++;
                        skipWhitespace();
                        if (pos < text.length() && text.charAt(pos) == ']') {
                            throw fail("a trailing comma before ']' is not JSON; remove the last ','");
                        }
                        return value();
                    }
                    if (c == ']') {
                        return end();
                    }
                    throw fail(commentOr(c, "a ',' or ']' must follow an array's value, found " + describe(pos)));
                default:
                    throw new IllegalStateException(expect.name());
            }
        }
    }

    /** A value where one is expected: a scalar, or the start of an object or array. */
    private Event value() {
        char c = text.charAt(pos);
        Optional<Mark> start = mark();
        switch (c) {
            case '{':
            case '[':
                pos++;
                if (depth == open.length) {
                    open = java.util.Arrays.copyOf(open, depth * 2);
                }
                open[depth++] = c == '{';
                expect = c == '{' ? Expect.FIRST_KEY_OR_END : Expect.FIRST_VALUE_OR_END;
                return c == '{' ? new MappingStartEvent(Optional.empty(), Optional.empty(), true, FlowStyle.FLOW, start, start)
                        : new SequenceStartEvent(Optional.empty(), Optional.empty(), true, FlowStyle.FLOW, start, start);
            case '"':
                afterValue();
                return string();
            case '\'':
                throw fail("strings are written in double quotes, not single quotes");
            case '/':
            case '#':
                throw fail("comments are not JSON");
            case ']':
            case '}':
                throw fail("a value is missing before '" + c + "'");
            case ',':
                throw fail("a value is missing before ','");
            default:
                String word = literal();
                afterValue();
                return new ScalarEvent(Optional.empty(), Optional.empty(), new ImplicitTuple(true, false), word, ScalarStyle.PLAIN,
                        start, mark());
        }
    }

    /** After a value: what its container expects next. */
    private void afterValue() {
        expect = depth == 0 ? Expect.NOTHING : open[depth - 1] ? Expect.COMMA_OR_OBJECT_END : Expect.COMMA_OR_ARRAY_END;
    }

    private Event end() {
        Optional<Mark> at = mark();
        pos++;
        boolean object = open[--depth];
        afterValue();
        return object ? new MappingEndEvent(at, at) : new SequenceEndEvent(at, at);
    }

    /** {@code true}, {@code false}, {@code null} or a number, exactly as JSON writes them. */
    private String literal() {
        int start = pos;
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, pos)) {
                pos += word.length();
                if (pos < text.length() && isWordChar(text.charAt(pos))) {
                    pos = start;
                    throw fail("'" + token(start) + "' is not a JSON value; strings are written in double quotes");
                }
                return word;
            }
        }
        if (text.charAt(pos) == '-') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == '0') {
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                pos = start;
                throw fail("'" + token(start) + "' is not a JSON number: no leading zeros");
            }
        } else if (!digits()) {
            pos = start;
            throw fail("'" + token(start) + "' is not a JSON value; strings are written in double quotes");
        }
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            if (!digits()) {
                pos = start;
                throw fail("'" + token(start) + "' is not a JSON number: digits must follow the '.'");
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (!digits()) {
                pos = start;
                throw fail("'" + token(start) + "' is not a JSON number: digits must follow the exponent");
            }
        }
        if (pos < text.length() && isWordChar(text.charAt(pos))) {
            pos = start;
            throw fail("'" + token(start) + "' is not a JSON value");
        }
        return text.substring(start, pos);
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        return pos > start;
    }

    /** A string in double quotes, with JSON's escapes; as a double-quoted YAML scalar. */
    private Event string() {
        Optional<Mark> start = mark();
        int open = pos++;
        StringBuilder value = null; // only when the string has escapes
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) {
                pos = open;
                throw fail("a string is never closed: a '\"' is missing");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw fail(c == '\n' || c == '\r' ? "a string is never closed on its line: a '\"' is missing (a line break "
                        + "inside a string is written \\n)" : "a control character (U+" + String.format(java.util.Locale.ROOT, "%04X", (int) c)
                        + ") inside a string must be escaped");
            }
            if (c == '\\') {
                if (value == null) {
                    value = new StringBuilder();
                }
                value.append(text, runStart, pos);
                pos++;
                char e = pos < text.length() ? text.charAt(pos) : 0;
                switch (e) {
                    case '"', '\\', '/' -> value.append(e);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        int code = 0;
                        for (int i = 1; i <= 4; i++) {
                            int digit = pos + i < text.length() ? Character.digit(text.charAt(pos + i), 16) : -1;
                            if (digit < 0 || text.charAt(pos + i) > 'f') {
                                pos--;
                                throw fail("'\\u' must be followed by four hexadecimal digits");
                            }
                            code = code * 16 + digit;
                        }
                        value.append((char) code);
                        pos += 4;
                    }
                    default -> {
                        pos--;
                        throw fail("'\\" + (e == 0 ? "" : String.valueOf(e)) + "' is not a JSON escape; use \\\" \\\\ \\/ \\b "
                                + "\\f \\n \\r \\t or \\uXXXX");
                    }
                }
                runStart = pos + 1;
            }
            pos++;
            int length = value == null ? pos - runStart : value.length() + pos - runStart;
            if (length > maxString) {
                pos = open;
                throw fail("a string of more than " + String.format(java.util.Locale.ROOT, "%,d", maxString) + " characters; a plan-file value may "
                        + "have at most " + String.format(java.util.Locale.ROOT, "%,d", maxString));
            }
        }
        String result = value == null ? text.substring(runStart, pos) : value.append(text, runStart, pos).toString();
        pos++;
        return new ScalarEvent(Optional.empty(), Optional.empty(), new ImplicitTuple(false, true), result,
                ScalarStyle.DOUBLE_QUOTED, start, mark());
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (c == '\r') {
                if (pos + 1 >= text.length() || text.charAt(pos + 1) != '\n') {
                    line++;
                    lineStart = pos + 1;
                }
            } else if (c != ' ' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private Optional<Mark> mark() {
        return Optional.of(new Mark(source, pos, line, pos - lineStart, NO_BUFFER, 0));
    }

    private static String commentOr(char c, String otherwise) {
        return c == '/' || c == '#' ? "comments are not JSON" : otherwise;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+' || c == '.' || c == '$';
    }

    /** The word at {@code start}, for a message: at most 40 characters. */
    private String token(int start) {
        int end = start;
        while (end < text.length() && end - start < 40 && !Character.isWhitespace(text.charAt(end))
                && ",:[]{}\"".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return end == start ? String.valueOf(text.charAt(start)) : text.substring(start, end);
    }

    private String describe(int at) {
        char c = text.charAt(at);
        return c == '"' ? "a string" : c == '{' ? "an object" : c == '[' ? "an array" : "'" + token(at) + "'";
    }

    /** A problem at the current position: the file, the line, and the column in the message. */
    private UsagePlansConfigException fail(String problem) {
        return new UsagePlansConfigException(source, null, line + 1, "not valid JSON: " + problem + " (column "
                + (pos - lineStart + 1) + ")");
    }
}
