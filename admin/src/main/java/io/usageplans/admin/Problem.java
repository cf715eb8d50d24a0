package io.usageplans.admin;

import java.util.List;

import io.usageplans.manage.AdminException.RowError;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details, the admin API's one shape for errors: what was wrong, in which field, with which value. */
final class Problem {

    static final String MEDIA_TYPE = "application/problem+json";

    private Problem() {
    }

    /** A problem response; {@code field} and {@code value} are left out when {@code field} is null. */
    static Response.ResponseBuilder response(int status, String detail, String field, String value, List<RowError> rows) {
        Json.Obj body = Json.object().put("type", "about:blank").put("title", title(status)).put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (field != null) {
            body.put("field", field).put("value", value);
        }
        if (rows != null && !rows.isEmpty()) {
            body.put("errors", rows.stream().map(r -> Json.object().put("row", r.row()).put("field", r.field())
                    .put("value", r.value()).put("detail", r.message())).toList());
        }
        return Response.status(status).type(MEDIA_TYPE).entity(body.toString());
    }

    static Response.ResponseBuilder response(int status, String detail) {
        return response(status, detail, null, null, List.of());
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
