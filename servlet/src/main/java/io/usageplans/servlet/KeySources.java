package io.usageplans.servlet;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;

/** The built-in key sources of {@link ApiKeyResolver}, named as the setting {@code usageplans.key-source} writes them. */
final class KeySources {

    private KeySources() {
    }

    /** A built-in source, whose {@code toString()} is its setting value. */
    sealed interface Source extends ApiKeyResolver permits Header, Query, PrincipalName {
    }

    record Header(String name) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            return request.getHeader(name);
        }

        @Override
        public String toString() {
            return "header:" + name;
        }
    }

    record Query(String name) implements Source {
        @Override
        public String resolve(HttpServletRequest request) {
            return QueryString.parameter(request, name);
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
