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
    sealed interface Source extends ApiKeyResolver permits Header, Query, PrincipalName {
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
}
