package io.usageplans;

import java.util.Locale;
import java.util.Set;

/**
 * A method of the API as AWS keys method-level throttles: {@code /pets/{petId}/GET}, i.e. a resource path
 * followed by an HTTP method. Path segments are literals, {@code {name}} (one segment) or {@code {name+}}
 * (the rest of the path); the method may be {@code *}; {@code * /*} (without the space) matches everything.
 */
public final class MethodKey {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "*");

    private final String resourcePath;
    private final String httpMethod;
    private final String[] segments;
    private final boolean greedyTail;
    private final boolean anyPath;
    private final int literalSegments;

    private MethodKey(String resourcePath, String httpMethod) {
        this.resourcePath = resourcePath;
        this.httpMethod = httpMethod;
        this.anyPath = resourcePath.equals("*");
        String trimmed = anyPath ? "" : trimSlashes(resourcePath);
        this.segments = trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
        boolean greedy = false;
        int literals = 0;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("method key path '" + resourcePath + "' has an empty segment");
            }
            boolean variable = segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2;
            if (!variable && (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0)) {
                throw new IllegalArgumentException("method key path segment '" + segment
                        + "' must be a literal or a whole {variable}");
            }
            if (variable && segment.endsWith("+}")) {
                if (i != segments.length - 1) {
                    throw new IllegalArgumentException("greedy path variable " + segment + " must be the last segment");
                }
                greedy = true;
            }
            if (!variable) {
                literals++;
            }
        }
        this.greedyTail = greedy;
        this.literalSegments = literals;
    }

    /** Parses AWS's form: {@code /pets/{petId}/GET}, {@code //GET} for the root, {@code * /*} for all. */
    public static MethodKey parse(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("method key must look like /pets/{petId}/GET, was empty");
        }
        int slash = key.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("method key must look like /pets/{petId}/GET, was '" + key + "'");
        }
        String path = key.substring(0, slash);
        String method = key.substring(slash + 1);
        if (path.isEmpty()) {
            path = "/";
        }
        if (!path.equals("*") && !path.startsWith("/")) {
            throw new IllegalArgumentException("method key must start with / (like /pets/{petId}/GET), was '" + key + "'");
        }
        return of(path, method);
    }

    public static MethodKey of(String resourcePath, String httpMethod) {
        String method = httpMethod == null ? "" : httpMethod.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was '"
                    + httpMethod + "'");
        }
        return new MethodKey(resourcePath, method);
    }

    public String resourcePath() {
        return resourcePath;
    }

    public String httpMethod() {
        return httpMethod;
    }

    /** More literal segments first, so {@code /pets/mine} wins over {@code /pets/{petId}}. */
    public int specificity() {
        return anyPath ? -1 : literalSegments * 4 + (greedyTail ? 0 : 2) + (httpMethod.equals("*") ? 0 : 1);
    }

    /** Whether a request with this method and path (relative to the application) is this method. */
    public boolean matches(String method, String path) {
        if (!httpMethod.equals("*") && !httpMethod.equals(method)) {
            return false;
        }
        if (anyPath) {
            return true;
        }
        int pos = 0;
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        if (pos < end && path.charAt(pos) == '/') {
            pos++;
        }
        for (int i = 0; i < segments.length; i++) {
            if (pos >= end) {
                return false;
            }
            int next = path.indexOf('/', pos);
            if (next < 0 || next > end) {
                next = end;
            }
            String segment = segments[i];
            if (segment.charAt(0) == '{') {
                if (greedyTail && i == segments.length - 1) {
                    return true;
                }
                if (next == pos) {
                    return false;
                }
            } else if (next - pos != segment.length() || !path.startsWith(segment, pos)) {
                return false;
            }
            pos = next + 1;
        }
        return pos >= end;
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodKey other && other.resourcePath.equals(resourcePath) && other.httpMethod.equals(httpMethod);
    }

    @Override
    public int hashCode() {
        return resourcePath.hashCode() * 31 + httpMethod.hashCode();
    }

    /** AWS's form, e.g. {@code /pets/{petId}/GET}. */
    @Override
    public String toString() {
        return (resourcePath.equals("/") ? "/" : resourcePath) + "/" + httpMethod;
    }
}
