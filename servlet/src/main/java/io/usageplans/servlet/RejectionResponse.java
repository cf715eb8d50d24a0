package io.usageplans.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.usageplans.Decision;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the gateway's responses: RateLimit fields on every metered response, and for rejections the status,
 * {@code Retry-After} and a small JSON body ({@code {"message":"Too Many Requests"}}), never a stack trace.
 */
final class RejectionResponse {

    static final String RATELIMIT_POLICY = "RateLimit-Policy";
    static final String RATELIMIT = "RateLimit";

    private static final byte[] FORBIDDEN = body(Decision.Outcome.FORBIDDEN.jsonBody());
    private static final byte[] TOO_MANY_REQUESTS = body(Decision.Outcome.THROTTLED.jsonBody());
    private static final byte[] LIMIT_EXCEEDED = body(Decision.Outcome.QUOTA_EXCEEDED.jsonBody());
    private static final byte[] UNAVAILABLE = body(Decision.Outcome.UNAVAILABLE.jsonBody());
    private static final byte[] INTERNAL_ERROR = body("{\"message\":\"Internal server error\"}");

    private RejectionResponse() {
    }

    /** The RateLimit fields, on allowed and rejected responses alike; set before the application writes. */
    static void rateLimitFields(Decision decision, HttpServletResponse response) {
        if (decision.metered()) {
            response.setHeader(RATELIMIT_POLICY, decision.rateLimitPolicy());
            response.setHeader(RATELIMIT, decision.rateLimit());
        }
    }

    static void reject(Decision decision, HttpServletResponse response) throws IOException {
        byte[] body = switch (decision.outcome()) {
            case FORBIDDEN -> FORBIDDEN;
            case THROTTLED -> TOO_MANY_REQUESTS;
            case QUOTA_EXCEEDED -> LIMIT_EXCEEDED;
            case UNAVAILABLE -> UNAVAILABLE;
            default -> throw new IllegalArgumentException("not a rejection: " + decision);
        };
        response.resetBuffer();
        response.setStatus(decision.outcome().status());
        if (decision.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
        }
        rateLimitFields(decision, response);
        write(response, body);
    }

    static void internalError(HttpServletResponse response) throws IOException {
        if (!response.isCommitted()) {
            response.resetBuffer();
            response.setStatus(500);
            write(response, INTERNAL_ERROR);
        }
    }

    private static void write(HttpServletResponse response, byte[] body) throws IOException {
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
