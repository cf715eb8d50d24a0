package io.usageplans.admin;

import java.util.List;

import io.usageplans.manage.AdminException.RowError;
import jakarta.ws.rs.core.Response;

/**
 * RFC 9457 problem details, the admin API's one shape for errors: what was wrong, in which field, with which value.
 * However large the request, the answer stays small: values and details are shortened, and an import lists its first
 * {@value #MAX_ROWS} bad rows.
 */
final class Problem {

    static final String MEDIA_TYPE = "application/problem+json";
    /** The most bad rows of an import listed in {@code errors}; the detail counts them all. */
    static final int MAX_ROWS = 100;

    private Problem() {
    }

    /** A problem response; {@code field} and {@code value} are left out when {@code field} is null. */
    static Response.ResponseBuilder response(int status, String detail, String field, String value, List<RowError> rows) {
        Json.Obj body = Json.object().put("type", "about:blank").put("title", title(status)).put("status", status);
        if (detail != null) {
            body.put("detail", shorten(detail, 1000));
        }
        if (field != null) {
            body.put("field", shorten(field, 200)).put("value", shorten(value, 200));
        }
        if (rows != null && !rows.isEmpty()) {
            body.put("errors", rows.stream().limit(MAX_ROWS).map(r -> Json.object().put("row", r.row())
                    .put("field", shorten(r.field(), 200)).put("value", shorten(r.value(), 200))
                    .put("detail", shorten(r.message(), 300))).toList());
        }
        return Response.status(status).type(MEDIA_TYPE).entity(body.toString());
    }

    static Response.ResponseBuilder response(int status, String detail) {
        return response(status, detail, null, null, List.of());
    }

    /** {@code text} cut to {@code max} characters, marked with an ellipsis and the length it had; null stays null. */
    static String shorten(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "\u2026 (" + text.length() + " characters)";
    }

    static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        if (known != null) {
            return known.getReasonPhrase();
        }
        return switch (status) {
            case 422 -> "Unprocessable Content";
            case 501 -> "Not Implemented";
            default -> "HTTP " + status;
        };
    }
}
