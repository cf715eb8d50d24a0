package io.usageplans.servlet;

import java.security.Principal;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

import io.usageplans.UsagePlans;

import jakarta.servlet.http.HttpServletRequest;

/** The built-in key sources of {@link ApiKeyResolver}, named as the setting {@code usageplans.key-source} writes them. */
final class KeySources {

    private KeySources() {
    }

    /** A built-in source, whose {@code toString()} is its setting value. */
    sealed interface Source extends ApiKeyResolver permits Header, Query, PrincipalName, PrincipalKeyName, AttributeKeyName,
            ClaimKeyName {
    }

    /** The header's value; with several headers of that name and different values, {@link UsagePlans#SEVERAL_KEYS}. */
    record Header(String name) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            Enumeration<String> values = request.getHeaders(name);
            if (values == null || !values.hasMoreElements()) {
                return request.getHeader(name); // a container that cannot list header values
            }
            String first = values.nextElement();
            while (values.hasMoreElements()) {
                if (!Objects.equals(first, values.nextElement())) {
                    return UsagePlans.SEVERAL_KEYS; // which one was meant? neither is used
                }
            }
            return first;
        }

        @Override
        public String toString() {
            return "header:" + name;
        }
    }

    /** The query parameter's value; with several different values, {@link UsagePlans#SEVERAL_KEYS}. */
    record Query(String name) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            List<String> values = QueryString.parameters(request, name);
            if (values.isEmpty()) {
                return null;
            }
            String first = values.get(0);
            for (int i = 1; i < values.size(); i++) {
                if (!first.equals(values.get(i))) {
                    return UsagePlans.SEVERAL_KEYS;
                }
            }
            return first;
        }

        @Override
        public String toString() {
            return "query:" + name;
        }
    }

    record PrincipalName() implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            Principal p = request.getUserPrincipal();
            return p == null ? null : p.getName();
        }

        @Override
        public String toString() {
            return "principal";
        }
    }

    /** The authenticated principal's name is the name of the caller's key (Jakarta Security, a servlet login). */
    record PrincipalKeyName() implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            Principal p = request.getUserPrincipal();
            return p == null || p.getName() == null || p.getName().isEmpty() ? null : UsagePlans.keyNamed(p.getName());
        }

        @Override
        public String toString() {
            return "principal-name";
        }
    }

    /**
     * A request attribute, set by the application's own authentication filter before ours, names the caller's key:
     * a {@code String}, or a {@code Principal} whose name it is.
     */
    record AttributeKeyName(String attribute) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            Object value = request.getAttribute(attribute);
            String name = value instanceof Principal p ? p.getName() : value instanceof CharSequence text ? text.toString() : null;
            return name == null || name.isEmpty() ? null : UsagePlans.keyNamed(name);
        }

        @Override
        public String toString() {
            return "attribute:" + attribute;
        }
    }

    /**
     * A claim of the caller's JSON Web Token names its key: the principal is MicroProfile JWT's {@code JsonWebToken}
     * (or any principal with a public {@code getClaim(String)}), read without a compile-time dependency on it.
     */
    record ClaimKeyName(String claim) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            Principal p = request.getUserPrincipal();
            if (p == null) {
                return null;
            }
            Object value;
            try {
                java.lang.reflect.Method getClaim = claimMethod(p.getClass());
                if (getClaim == null) {
                    return null;
                }
                value = getClaim.invoke(p, claim);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // not a token we can read: no key, so 403
            }
            String name = text(value);
            return name == null || name.isEmpty() ? null : UsagePlans.keyNamed(name);
        }

        /** {@code getClaim(String)} of a public interface or class of the principal, callable from here. */
        private static java.lang.reflect.Method claimMethod(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                        try {
                            return i.getMethod("getClaim", String.class);
                        } catch (NoSuchMethodException e) {
                            // another interface may have it
                        }
                    }
                }
                if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                    try {
                        return c.getMethod("getClaim", String.class);
                    } catch (NoSuchMethodException e) {
                        // a superclass may have it
                    }
                }
            }
            return null;
        }

        /** A claim's text: a {@code String}, a JSON-P {@code JsonString} ({@code getString()}), or a number. */
        private static String text(Object value) {
            if (value == null) {
                return null;
            }
            if (value instanceof CharSequence || value instanceof Number) {
                return value.toString();
            }
            try {
                Object text = value.getClass().getMethod("getString").invoke(value);
                return text instanceof String s ? s : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "jwt-claim:" + claim;
        }
    }
}
