package io.usageplans.servlet;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

/** Reads one parameter from the query string only: a form body is never read, so the application keeps its input. */
final class QueryString {

    private QueryString() {
    }

    /** The decoded value ({@code ""} for {@code ?name}), or null when the parameter is absent. */
    static String parameter(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return value(pair, eq);
            }
        }
        return null;
    }

    /** Every decoded value of the parameter, in order; empty when it is absent. */
    static List<String> parameters(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>(1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                values.add(value(pair, eq));
            }
        }
        return values;
    }

    private static String value(String pair, int eq) {
        if (eq < 0) {
            return "";
        }
        try {
            return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return pair.substring(eq + 1); // malformed %-escape: the caller's checks reject it
        }
    }
}
