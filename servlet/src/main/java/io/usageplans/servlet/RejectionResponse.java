package io.usageplans.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.usageplans.Decision;
import io.usageplans.ResponseSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the responses: RateLimit fields on every metered response (unless hidden), and for refusals the status,
 * {@code Retry-After}, extra headers and the body the response settings render (by default the gateway's
 * {@code {"message":"Too Many Requests"}}), never a stack trace.
 */
final class RejectionResponse {

    static final String RATELIMIT_POLICY = "RateLimit-Policy";
    static final String RATELIMIT = "RateLimit";

    private static final byte[] INTERNAL_ERROR = "{\"message\":\"Internal server error\"}".getBytes(StandardCharsets.UTF_8);

    private RejectionResponse() {
    }

    /** The RateLimit fields, on allowed and rejected responses alike; set before the application writes. */
    static void rateLimitFields(Decision decision, HttpServletResponse response) {
        if (decision.sendsRateLimitFields()) {
            response.setHeader(RATELIMIT_POLICY, decision.rateLimitPolicy());
            response.setHeader(RATELIMIT, decision.rateLimit());
        }
    }

    /** Writes {@code decision}'s refusal; the JAX-RS feature and the interceptor have theirs written here too. */
    static void reject(Decision decision, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ResponseSettings.Rendered rendered = decision.rejection();
        response.resetBuffer();
        response.setStatus(rendered.status());
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // the refused request's body is never read: say the connection ends, so that a client does not send its
            // next request on a connection the server closes after this response
            response.setHeader("Connection", "close");
        }
        for (Map.Entry<String, String> header : decision.refusalHeaders().entrySet()) {
            response.setHeader(header.getKey(), header.getValue());
        }
        if (rendered.contentTypeField() != null) {
            response.setContentType(rendered.contentTypeField());
        }
        write(response, rendered.bodyBytes());
    }

    static void internalError(HttpServletResponse response) throws IOException {
        if (!response.isCommitted()) {
            response.resetBuffer();
            response.setStatus(500);
            response.setContentType("application/json");
            write(response, INTERNAL_ERROR);
        }
    }

    private static void write(HttpServletResponse response, byte[] body) throws IOException {
        response.setContentLength(body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
        response.flushBuffer();
    }
}
