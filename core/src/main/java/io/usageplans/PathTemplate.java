package io.usageplans;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A resource path template, in AWS's syntax or JAX-RS's: segments are literals, {@code {name}} (one segment),
 * {@code {name+}} (the rest of the path, as in AWS) or {@code {name: regex}} (one segment; as the last segment the regex
 * may match the rest of the path), and mixed segments like {@code {id}.json}; {@code *} is any path. Compiled once, it
 * matches request paths and orders itself among other templates as JAX-RS does. {@link MethodKey} adds the HTTP method.
 */
public final class PathTemplate {

    /** The template that matches every path. */
    public static final PathTemplate ANY = new PathTemplate("*");

    private final String template;
    private final boolean anyPath;
    /** Per segment: a literal String, or a Pattern for segments with variables. */
    private final Object[] segments;
    /** Matches the rest of the path (may contain slashes) after the fixed segments, or null. */
    private final Pattern tail;
    private final boolean tailMayBeEmpty;
    private final int literalCharacters;
    /** The slashes of the template, which JAX-RS counts as literal characters when it orders templates. */
    private final int slashes;
    private final int variables;
    private final int regexVariables;
    private final String normalized;
    private final String display;

    private PathTemplate(String template) {
        this.template = template;
        this.anyPath = template.equals("*");
        List<String> raw = anyPath ? List.of() : split(template);
        List<Object> compiled = new ArrayList<>();
        Pattern tailPattern = null;
        boolean emptyTail = false;
        int literals = 0;
        int vars = 0;
        int regexVars = 0;
        StringBuilder norm = new StringBuilder();
        for (int i = 0; i < raw.size(); i++) {
            String segment = raw.get(i);
            boolean last = i == raw.size() - 1;
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("path '" + template + "' has an empty segment");
            }
            Parsed parsed = parse(segment, template);
            literals += parsed.literalCharacters;
            vars += parsed.variables;
            regexVars += parsed.regexVariables;
            if (parsed.greedy) {
                if (!last) {
                    throw new IllegalArgumentException("in '" + template + "' the variable " + segment
                            + " matches the rest of the path, so it must be the last segment");
                }
                tailPattern = parsed.pattern;
                emptyTail = parsed.mayBeEmpty;
                norm.append("/{+}");
            } else {
                compiled.add(parsed.pattern == null ? segment : parsed.pattern);
                norm.append('/').append(parsed.normalized);
            }
        }
        this.segments = compiled.toArray();
        this.tail = tailPattern;
        this.tailMayBeEmpty = emptyTail;
        this.literalCharacters = literals;
        this.slashes = raw.size();
        this.variables = vars;
        this.regexVariables = regexVars;
        this.normalized = anyPath ? "*" : norm.length() == 0 ? "/" : norm.toString();
        this.display = anyPath || template.equals("/") ? template : withoutRegexes(template);
    }

    /**
     * Parses a template: {@code *} is any path; an empty or null one is the root {@code /}, and a leading slash is
     * added when missing.
     *
     * @throws IllegalArgumentException naming the path and the bad segment
     */
    public static PathTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            template = "/";
        }
        if (template.equals("*")) {
            return ANY;
        }
        return new PathTemplate(template.startsWith("/") ? template : "/" + template);
    }

    /** {@code /pets/{petId: [0-9]+}} shows as {@code /pets/{petId}}, as AWS names a method. */
    private static String withoutRegexes(String path) {
        StringBuilder out = new StringBuilder(path.length());
        int depth = 0;
        boolean skipping = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '{') {
                depth++;
                if (depth == 1) {
                    skipping = false;
                    out.append(c);
                    continue;
                }
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    skipping = false;
                    out.append(c);
                    continue;
                }
            } else if (c == ':' && depth == 1) {
                skipping = true;
            }
            if (!skipping && !(depth == 1 && c == ' ')) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The template as written (with a leading slash), or {@code *}. */
    public String template() {
        return template;
    }

    /** Whether this is {@code *}, which matches every path. */
    public boolean isAny() {
        return anyPath;
    }

    /**
     * The template with variable names and regexes left out ({@code /pets/{}}, {@code /files/{+}} for one that takes
     * the rest of the path): two templates of the same form match the same paths.
     */
    public String normalized() {
        return normalized;
    }

    /**
     * Orders templates most specific first, as JAX-RS orders resource templates (spec 3.7.2): more literal characters,
     * slashes included, then more variables, then more regex variables; {@code *} last.
     */
    public static int compareSpecificity(PathTemplate a, PathTemplate b) {
        if (a.anyPath != b.anyPath) {
            return a.anyPath ? 1 : -1;
        }
        // JAX-RS's order (spec 3.7.2): literal characters, slashes included, then variables, then regex variables
        int c = Integer.compare(b.literalCharacters + b.slashes, a.literalCharacters + a.slashes);
        if (c == 0) {
            c = Integer.compare(b.variables, a.variables);
        }
        if (c == 0) {
            c = Integer.compare(b.regexVariables, a.regexVariables);
        }
        if (c == 0) {
            c = Integer.compare(b.segments.length, a.segments.length);
        }
        if (c == 0) {
            c = Boolean.compare(a.tail != null, b.tail != null);
        }
        return c;
    }

    /**
     * Whether {@code path} (relative to the application; trailing slashes and a missing leading one are ignored) is
     * one this template names. Allocates nothing beyond the regex matchers of segments with variables.
     */
    public boolean matches(String path) {
        if (anyPath) {
            return true;
        }
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        int pos = end > 0 && path.charAt(0) == '/' ? 1 : 0;
        for (Object segment : segments) {
            if (pos >= end) {
                return false;
            }
            int next = path.indexOf('/', pos);
            if (next < 0 || next > end) {
                next = end;
            }
            if (segment instanceof String literal) {
                if (next - pos != literal.length() || !path.startsWith(literal, pos)) {
                    return false;
                }
            } else if (next == pos || !((Pattern) segment).matcher(path).region(pos, next).matches()) {
                return false;
            }
            pos = next + 1;
        }
        if (tail != null) {
            if (pos >= end) {
                return tailMayBeEmpty;
            }
            return tail.matcher(path).region(pos, end).matches();
        }
        return pos >= end;
    }

    private record Parsed(Pattern pattern, String normalized, boolean greedy, boolean mayBeEmpty,
                          int literalCharacters, int variables, int regexVariables) {
    }

    /** One segment: a literal, or a regex built from literal parts and {name}, {name+} or {name: regex} parts. */
    private static Parsed parse(String segment, String path) {
        if (segment.indexOf('{') < 0) {
            if (segment.indexOf('}') >= 0) {
                throw new IllegalArgumentException("path '" + path + "' has a '}' without a '{' in segment '" + segment + "'");
            }
            return new Parsed(null, segment, false, false, segment.length(), 0, 0);
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder norm = new StringBuilder();
        int literals = 0;
        int vars = 0;
        int regexVars = 0;
        boolean greedy = false;
        boolean mayBeEmpty = false;
        int i = 0;
        while (i < segment.length()) {
            char c = segment.charAt(i);
            if (c != '{') {
                int start = i;
                while (i < segment.length() && segment.charAt(i) != '{') {
                    if (segment.charAt(i) == '}') {
                        throw new IllegalArgumentException("path '" + path + "' has a '}' without a '{' in segment '" + segment + "'");
                    }
                    i++;
                }
                String literal = segment.substring(start, i);
                regex.append(Pattern.quote(literal));
                norm.append(literal);
                literals += literal.length();
                continue;
            }
            int depth = 0;
            int close = -1;
            for (int j = i; j < segment.length(); j++) {
                char d = segment.charAt(j);
                if (d == '{') {
                    depth++;
                } else if (d == '}' && --depth == 0) {
                    close = j;
                    break;
                }
            }
            if (close < 0) {
                throw new IllegalArgumentException("path '" + path + "' has an unclosed '{' in segment '" + segment + "'");
            }
            String inside = segment.substring(i + 1, close);
            int colon = inside.indexOf(':');
            String name = (colon < 0 ? inside : inside.substring(0, colon)).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("path '" + path + "' has a variable without a name in segment '" + segment + "'");
            }
            vars++;
            if (colon >= 0) {
                String expression = inside.substring(colon + 1).trim();
                try {
                    Pattern.compile(expression);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("path '" + path + "' has an invalid regex '" + expression + "': "
                            + e.getDescription());
                }
                regexVars++;
                regex.append('(').append(expression).append(')');
                // a regex that can match a slash, or that is the whole segment and ends the path, may span segments
                if (expression.contains("/") || expression.equals(".*") || expression.equals(".+")) {
                    greedy = true;
                    mayBeEmpty = Pattern.compile(expression).matcher("").matches();
                }
            } else if (name.endsWith("+")) {
                greedy = true;
                regex.append("(.+)");
            } else {
                regex.append("([^/]+)");
            }
            norm.append("{}");
            i = close + 1;
        }
        if (greedy && !(segment.startsWith("{") && segment.endsWith("}") && vars == 1)) {
            throw new IllegalArgumentException("path '" + path + "': a variable matching the rest of the path must be a "
                    + "whole segment, was '" + segment + "'");
        }
        return new Parsed(Pattern.compile(regex.toString()), norm.toString(), greedy, mayBeEmpty, literals, vars, regexVars);
    }

    /** Splits a path at slashes outside braces, without empty leading/trailing segments. */
    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
            if (c == '/' && depth == 0) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        int from = 0;
        int to = parts.size();
        while (from < to && parts.get(from).isEmpty()) {
            from++;
        }
        while (to > from && parts.get(to - 1).isEmpty()) {
            to--;
        }
        return new ArrayList<>(parts.subList(from, to));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathTemplate other && other.template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    /** AWS's form, e.g. {@code /pets/{petId}} (JAX-RS regexes left out). */
    @Override
    public String toString() {
        return display;
    }
}
