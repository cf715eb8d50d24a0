package io.usageplans;

import java.util.Locale;
import java.util.Set;

/**
 * A method of the API, keyed as AWS keys method-level throttles: {@code /pets/{petId}/GET}, a resource path
 * ({@link PathTemplate}: AWS or JAX-RS template syntax, or {@code *}) then an HTTP method, which may be {@code *};
 * {@code * /*} (without the space) matches everything. Matching follows JAX-RS precedence: more literal
 * characters first, then more variables; of equally specific keys, one with a named method before {@code *}.
 */
public final class MethodKey {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "*");

    private final PathTemplate path;
    private final String httpMethod;
    private final boolean anyMethod;
    private final String normalized;
    private final String display;

    private MethodKey(PathTemplate path, String httpMethod) {
        this.path = path;
        this.httpMethod = httpMethod;
        this.anyMethod = httpMethod.equals("*");
        this.normalized = path.normalized() + "/" + httpMethod;
        this.display = path + "/" + httpMethod;
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

    /** A resource path (AWS or JAX-RS template syntax, or {@code *}) and an HTTP method (or {@code *}). */
    public static MethodKey of(String resourcePath, String httpMethod) {
        String method = httpMethod == null ? "" : httpMethod.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("HTTP method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *, was '"
                    + httpMethod + "'");
        }
        return new MethodKey(PathTemplate.parse(resourcePath), method);
    }

    public String resourcePath() {
        return path.template();
    }

    /** The resource path as a compiled template. */
    public PathTemplate pathTemplate() {
        return path;
    }

    public String httpMethod() {
        return httpMethod;
    }

    /**
     * The key with variable names and regexes left out ({@code /pets/{}/GET}): two keys with the same form name
     * the same method, e.g. a plan file's {@code /pets/{petId}/GET} and an annotated {@code /pets/{id: \d+}} GET.
     */
    public String normalized() {
        return normalized;
    }

    /** Orders keys most specific first: by path template as JAX-RS orders them, then a named method before {@code *}. */
    public static int compareSpecificity(MethodKey a, MethodKey b) {
        int c = PathTemplate.compareSpecificity(a.path, b.path);
        return c != 0 ? c : Boolean.compare(a.anyMethod, b.anyMethod);
    }

    /** Whether a request with this method and path (relative to the application) is this method. */
    public boolean matches(String method, String path) {
        return (anyMethod || httpMethod.equals(method)) && this.path.matches(path);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodKey other && other.path.equals(path) && other.httpMethod.equals(httpMethod);
    }

    @Override
    public int hashCode() {
        return path.template().hashCode() * 31 + httpMethod.hashCode();
    }

    /** AWS's form, e.g. {@code /pets/{petId}/GET} (JAX-RS regexes left out). */
    @Override
    public String toString() {
        return display;
    }
}
