package io.usageplans;

/**
 * A servlet-style path pattern for paths that are not metered: exact ({@code /health}), prefix
 * ({@code /static/*}, which also matches {@code /static}) or extension ({@code *.css}).
 */
public final class PathPattern {

    private final String pattern;
    private final String exact;
    private final String prefix;
    private final String suffix;

    private PathPattern(String pattern) {
        this.pattern = pattern;
        if (pattern.startsWith("*.")) {
            this.exact = null;
            this.prefix = null;
            this.suffix = pattern.substring(1);
        } else if (pattern.endsWith("/*")) {
            this.exact = pattern.substring(0, pattern.length() - 2);
            this.prefix = pattern.substring(0, pattern.length() - 1);
            this.suffix = null;
        } else {
            this.exact = pattern;
            this.prefix = null;
            this.suffix = null;
        }
    }

    public static PathPattern of(String pattern) {
        String problem = problemWith(pattern);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new PathPattern(pattern);
    }

    /** Why {@code pattern} is not a valid path pattern, or {@code null}. */
    public static String problemWith(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return "a path pattern must not be empty";
        }
        if (pattern.startsWith("*.")) {
            return pattern.indexOf('/') >= 0 || pattern.length() < 3 ? "extension pattern '" + pattern + "' must look like *.css" : null;
        }
        if (!pattern.startsWith("/")) {
            return "path pattern '" + pattern + "' must start with / (like /health or /static/*) or look like *.css";
        }
        if (pattern.indexOf('*') >= 0 && !(pattern.endsWith("/*") && pattern.indexOf('*') == pattern.length() - 1)) {
            return "path pattern '" + pattern + "' may only have * as its last segment (like /static/*)";
        }
        return null;
    }

    /** Whether {@code path}, relative to the application, matches. */
    public boolean matches(String path) {
        if (suffix != null) {
            return path.endsWith(suffix);
        }
        if (path.equals(exact)) {
            return true;
        }
        return prefix != null && path.startsWith(prefix);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
