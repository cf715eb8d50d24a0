package io.usageplans;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How refusals look, when the gateway's defaults do not suit: per outcome a status, a body (the gateway's JSON,
 * a template, empty, or RFC 9457 {@code application/problem+json}) and extra headers; whether the RateLimit fields
 * are sent at all; and whether burst policies carry the exact bucket shape ({@code up-burst}, {@code up-rate}).
 * The plan file's {@code responses:} section, or {@link #builder()} in code.
 */
public final class ResponseSettings {

    /** The draft RateLimit header fields' problem type for quota and throttle refusals. */
    public static final String QUOTA_EXCEEDED_TYPE = "https://iana.org/assignments/http-problem-types#quota-exceeded";

    /** The gateway's responses: 403/429/503 with {@code {"message":...}}, RateLimit fields on. */
    public static final ResponseSettings DEFAULT = builder().build();

    /** How one kind of refusal is answered. */
    public record Rejection(int status, Format format, String body, String contentType, Map<String, String> headers) {

        /** What the body is. */
        public enum Format {
            /** The gateway's {@code {"message":"..."}}. */
            GATEWAY,
            /** RFC 9457 problem details, with the refused policies in {@code violated-policies}. */
            PROBLEM,
            /** The {@code body} template: ${status}, ${message}, ${retryAfter}, ${plan}, ${policy} are replaced. */
            TEMPLATE,
            /** No body. */
            EMPTY
        }

        public Rejection {
            if (status != 0 && (status < 400 || status > 599)) {
                throw new IllegalArgumentException("status must be an HTTP error status from 400 to 599, was " + status);
            }
            Objects.requireNonNull(format, "format");
            if (format == Format.TEMPLATE && body == null) {
                throw new IllegalArgumentException("a template response needs a body");
            }
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(headers, Map.of())));
            for (String name : headers.keySet()) {
                if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                    throw new IllegalArgumentException("'" + name + "' is not a valid header name");
                }
            }
        }

        /** The gateway's response, with the outcome's own status. */
        public static Rejection gateway() {
            return new Rejection(0, Format.GATEWAY, null, null, Map.of());
        }
    }

    private final Map<Decision.Outcome, Rejection> rejections;
    private final boolean rateLimitHeaders;
    private final boolean bucketShape;

    private ResponseSettings(Builder builder) {
        this.rejections = Map.copyOf(builder.rejections);
        this.rateLimitHeaders = builder.rateLimitHeaders;
        this.bucketShape = builder.bucketShape;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How {@code outcome} is answered. */
    public Rejection rejection(Decision.Outcome outcome) {
        return rejections.getOrDefault(outcome, Rejection.gateway());
    }

    /** Whether RateLimit-Policy and RateLimit are sent (some operators hide them). */
    public boolean rateLimitHeaders() {
        return rateLimitHeaders;
    }

    /** Whether burst policies carry {@code up-burst} and {@code up-rate}, the bucket's exact shape. */
    public boolean bucketShape() {
        return bucketShape;
    }

    /** The status, content type and body bytes for a refusal. */
    public Rendered render(Decision decision) {
        Rejection r = rejection(decision.outcome());
        int status = r.status() == 0 ? decision.outcome().status() : r.status();
        String message = decision.outcome().message();
        return switch (r.format()) {
            case GATEWAY -> new Rendered(status, r.contentType() == null ? "application/json" : r.contentType(),
                    decision.outcome().jsonBody(), r.headers());
            case EMPTY -> new Rendered(status, null, "", r.headers());
            case TEMPLATE -> new Rendered(status, r.contentType() == null ? "application/json" : r.contentType(),
                    r.body().replace("${status}", Integer.toString(status))
                            .replace("${message}", message)
                            .replace("${retryAfter}", Long.toString(decision.retryAfterSeconds()))
                            .replace("${plan}", decision.planName() == null ? "" : decision.planName())
                            .replace("${policy}", decision.violatedPolicy() == null ? "" : decision.violatedPolicy()),
                    r.headers());
            case PROBLEM -> new Rendered(status, "application/problem+json", problem(decision, status), r.headers());
        };
    }

    private static String problem(Decision decision, int status) {
        StringBuilder json = new StringBuilder(200).append('{');
        boolean quota = decision.outcome() == Decision.Outcome.QUOTA_EXCEEDED || decision.outcome() == Decision.Outcome.THROTTLED;
        if (quota) {
            json.append("\"type\":\"").append(QUOTA_EXCEEDED_TYPE).append("\",")
                    .append("\"title\":\"Request cannot be satisfied as assigned quota has been exceeded\",");
        } else {
            json.append("\"type\":\"about:blank\",\"title\":\"").append(decision.outcome().message()).append("\",");
        }
        json.append("\"status\":").append(status).append(",\"detail\":\"").append(decision.outcome().message()).append('"');
        if (decision.violatedPolicy() != null) {
            JsonStrings.quote(json.append(",\"violated-policies\":["), decision.violatedPolicy()).append(']');
        }
        if (decision.retryAfterSeconds() > 0) {
            json.append(",\"retry-after\":").append(decision.retryAfterSeconds());
        }
        return json.append('}').toString();
    }

    /** A refusal ready to write. {@code contentType} is null for an empty body. */
    public record Rendered(int status, String contentType, String body, Map<String, String> headers) {

        /** The {@code Content-Type} field as adapters write it (text types name UTF-8, the body's encoding), or null. */
        public String contentTypeField() {
            return contentType != null && contentType.startsWith("text/") && !contentType.contains("charset")
                    ? contentType + ";charset=UTF-8" : contentType;
        }

        /** The body as it goes on the wire: UTF-8, empty for no body. */
        public byte[] bodyBytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Builds {@link ResponseSettings}. */
    public static final class Builder {
        private final Map<Decision.Outcome, Rejection> rejections = new LinkedHashMap<>();
        private boolean rateLimitHeaders = true;
        private boolean bucketShape;

        private Builder() {
        }

        /** How {@code outcome} (FORBIDDEN, THROTTLED, QUOTA_EXCEEDED, UNAVAILABLE) is answered. */
        public Builder rejection(Decision.Outcome outcome, Rejection rejection) {
            if (outcome.passes()) {
                throw new IllegalArgumentException(outcome + " is not a refusal");
            }
            rejections.put(outcome, Objects.requireNonNull(rejection, "rejection"));
            return this;
        }

        public Builder rateLimitHeaders(boolean value) {
            this.rateLimitHeaders = value;
            return this;
        }

        public Builder bucketShape(boolean value) {
            this.bucketShape = value;
            return this;
        }

        public ResponseSettings build() {
            return new ResponseSettings(this);
        }
    }

    /** The plan file's names for the outcomes: forbidden, throttled, quotaExceeded, unavailable. */
    public static Decision.Outcome outcomeNamed(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "forbidden" -> Decision.Outcome.FORBIDDEN;
            case "throttled" -> Decision.Outcome.THROTTLED;
            case "quotaexceeded" -> Decision.Outcome.QUOTA_EXCEEDED;
            case "unavailable" -> Decision.Outcome.UNAVAILABLE;
            default -> null;
        };
    }
}
