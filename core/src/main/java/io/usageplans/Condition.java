package io.usageplans;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A condition on a request, evaluated before metering (the plan file's {@code skip:} and {@code only:} lists):
 * a header that equals or matches a value (or is present), an HTTP method, a query parameter that is present
 * (or equals a value), a path pattern, an authenticated role, or a class of your own. Adapters evaluate it
 * against their requests; this is the validated description.
 *
 * @param kind  what is tested
 * @param name  the header, query parameter, role or class name; the method or path pattern
 * @param value the value to equal or the regex to match, or null for "present"
 * @param regex whether {@code value} is a regex (matches) rather than a literal (equals)
 */
public record Condition(Kind kind, String name, String value, boolean regex) {

    /** What a condition tests. */
    public enum Kind { HEADER, METHOD, QUERY, PATH, ROLE, CLASS }

    public Condition {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " must not be empty");
        }
        if (kind == Kind.PATH) {
            String problem = PathPattern.problemWith(name);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        if (kind == Kind.METHOD) {
            name = name.toUpperCase(Locale.ROOT);
        }
        if (regex) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + value + "' is not a valid regex: " + e.getDescription());
            }
        }
    }

    public static Condition header(String name, String equals) {
        return new Condition(Kind.HEADER, name, equals, false);
    }

    public static Condition headerMatches(String name, String regex) {
        return new Condition(Kind.HEADER, name, regex, true);
    }

    public static Condition method(String method) {
        return new Condition(Kind.METHOD, method, null, false);
    }

    public static Condition query(String parameter) {
        return new Condition(Kind.QUERY, parameter, null, false);
    }

    public static Condition path(String pattern) {
        return new Condition(Kind.PATH, pattern, null, false);
    }

    public static Condition role(String role) {
        return new Condition(Kind.ROLE, role, null, false);
    }

    /** A condition of your own: a public class with a no-argument constructor implementing the adapter's SPI. */
    public static Condition custom(String className) {
        return new Condition(Kind.CLASS, className, null, false);
    }
}
