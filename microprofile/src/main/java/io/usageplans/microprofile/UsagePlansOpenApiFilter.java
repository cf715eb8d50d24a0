package io.usageplans.microprofile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.usageplans.Decision;
import io.usageplans.ResponseSettings;
import io.usageplans.ResponseSettings.Rejection;
import io.usageplans.RouteDescription;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlansBootstrap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Documents usage plans in the application's OpenAPI document: the {@value #SCHEME} security scheme on every metered
 * operation (and on none other), its {@code 403} and {@code 429} answers with their JSON bodies and the
 * {@code Retry-After}, {@code RateLimit} and {@code RateLimit-Policy} headers, and an {@value #EXTENSION} extension
 * naming the plans that may call it and their method throttle and cost. Enabled with one setting, as MicroProfile
 * OpenAPI defines it: {@code mp.openapi.filter=io.usageplans.microprofile.UsagePlansOpenApiFilter}.
 *
 * <p>What is metered is what the running engine would decide ({@link UsagePlans#describe}): the plan file and the
 * annotations, with the same route table.
 */
public class UsagePlansOpenApiFilter implements OASFilter {

    /** The security scheme's name in {@code components.securitySchemes}. */
    public static final String SCHEME = "apiKey";
    /** The extension on each metered operation. */
    public static final String EXTENSION = "x-usage-plans";
    /** The schema of the gateway's bodies, {@code {"message":"..."}}, in {@code components.schemas}. */
    public static final String MESSAGE_SCHEMA = "UsagePlansMessage";

    private static final System.Logger LOG = System.getLogger(UsagePlansOpenApiFilter.class.getName());
    private static final String JSON = "application/json";

    /** How long the filter waits for the application's engine to start: servers build the document while deploying. */
    static final Duration WAIT_FOR_ENGINE = Duration.ofSeconds(60);

    private final Supplier<Optional<UsagePlansBootstrap.Running>> application;

    /**
     * The filter MicroProfile OpenAPI makes: it documents the application whose class loader made it (this jar is in
     * its {@code WEB-INF/lib}), waiting for its engine to start if the server builds the document first.
     */
    public UsagePlansOpenApiFilter() {
        this(() -> running(WAIT_FOR_ENGINE));
    }

    /** A filter for the engine, key source and context path {@code application} gives (empty: leave the document as it is). */
    public UsagePlansOpenApiFilter(Supplier<Optional<UsagePlansBootstrap.Running>> application) {
        this.application = application;
    }

    private static Optional<UsagePlansBootstrap.Running> running(Duration wait) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader own = UsagePlansOpenApiFilter.class.getClassLoader();
        Optional<UsagePlansBootstrap.Running> found = context == null || context == own ? Optional.empty()
                : UsagePlansBootstrap.running(context, Duration.ZERO);
        return found.isPresent() ? found : UsagePlansBootstrap.running(own, wait);
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Optional<UsagePlansBootstrap.Running> found = application.get();
        if (found.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: the application''s engine did not start within {0} s; "
                    + "its OpenAPI document says nothing of keys and limits", WAIT_FOR_ENGINE.toSeconds());
            return;
        }
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        UsagePlans running = found.get().engine();
        Map<String, PathItem> paths = openAPI.getPaths().getPathItems();
        String prefix = contextPrefix(paths.keySet(), found.get().contextPath());
        Optional<SecurityScheme> scheme = scheme(found.get().keySource());
        boolean anyMetered = false;
        for (Map.Entry<String, PathItem> path : paths.entrySet()) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            String relative = path.getKey().substring(prefix.length());
            for (Map.Entry<PathItem.HttpMethod, Operation> operation : operations.entrySet()) {
                RouteDescription route = running.describe(operation.getKey().name(), relative.isEmpty() ? "/" : relative);
                if (route.limited()) {
                    document(operation.getValue(), route, running.responses(), scheme.isPresent() && route.metered());
                    anyMetered = true;
                }
            }
        }
        if (anyMetered) {
            Components components = openAPI.getComponents();
            if (components == null) {
                components = OASFactory.createComponents();
                openAPI.setComponents(components);
            }
            scheme.ifPresent(s -> openAPI.getComponents().addSecurityScheme(SCHEME, s));
            openAPI.getComponents().addSchema(MESSAGE_SCHEMA, OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                    .addProperty("message", OASFactory.createSchema().addType(Schema.SchemaType.STRING))
                    .addRequired("message")
                    .description("The API gateway's answer to a refused request"));
        }
    }

    /**
     * The context path when every path of the document starts with it (WildFly puts it in the paths; others put it in
     * {@code servers}), else nothing: the engine's paths are relative to the application.
     */
    static String contextPrefix(java.util.Set<String> paths, String contextPath) {
        if (contextPath == null || contextPath.isEmpty() || contextPath.equals("/") || paths.isEmpty()) {
            return "";
        }
        for (String path : paths) {
            if (!path.equals(contextPath) && !path.startsWith(contextPath + "/")) {
                return "";
            }
        }
        return contextPath;
    }

    /** The {@value #SCHEME} scheme for the key source, or empty for one OpenAPI's apiKey type cannot name. */
    static Optional<SecurityScheme> scheme(String source) {
        String value = source == null ? "header:x-api-key" : source.trim();
        int colon = value.indexOf(':');
        String kind = colon < 0 ? value.toLowerCase(Locale.ROOT) : value.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : value.substring(colon + 1).trim();
        SecurityScheme.In in = switch (kind) {
            case "header" -> SecurityScheme.In.HEADER;
            case "query" -> SecurityScheme.In.QUERY;
            default -> null;
        };
        if (in == null || name.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "usage-plans: key source ''{0}'' is no header or query parameter; the OpenAPI "
                    + "document gets no apiKey security scheme, only the 403 and 429 answers", value);
            return Optional.empty();
        }
        return Optional.of(OASFactory.createSecurityScheme().type(SecurityScheme.Type.APIKEY).in(in).name(name)
                .description("An API key subscribed to a usage plan (see x-usage-plans on each operation)"));
    }

    private static void document(Operation operation, RouteDescription route, ResponseSettings responses, boolean scheme) {
        if (scheme && (operation.getSecurity() == null
                || operation.getSecurity().stream().noneMatch(r -> r.hasScheme(SCHEME)))) {
            SecurityRequirement requirement = OASFactory.createSecurityRequirement().addScheme(SCHEME);
            operation.addSecurityRequirement(requirement);
        }
        APIResponses documented = operation.getResponses();
        if (documented == null) {
            documented = OASFactory.createAPIResponses();
            operation.setResponses(documented);
        }
        if (responses.rateLimitHeaders() && documented.getAPIResponses() != null) {
            for (APIResponse response : documented.getAPIResponses().values()) {
                rateLimitHeaders(response);
            }
        }
        Map<Integer, List<Decision.Outcome>> byStatus = new LinkedHashMap<>();
        for (Decision.Outcome outcome : outcomes(route)) {
            byStatus.computeIfAbsent(status(responses.rejection(outcome), outcome), k -> new ArrayList<>()).add(outcome);
        }
        for (Map.Entry<Integer, List<Decision.Outcome>> status : byStatus.entrySet()) {
            String code = String.valueOf(status.getKey());
            if (!documented.hasAPIResponse(code)) {
                documented.addAPIResponse(code, rejection(status.getValue(), responses));
            }
        }
        operation.addExtension(EXTENSION, extension(route));
    }

    /** What a call can be refused with: a key's 403 only where a key is needed, a quota's 429 only where one applies. */
    private static List<Decision.Outcome> outcomes(RouteDescription route) {
        if (route.metered()) {
            return List.of(Decision.Outcome.FORBIDDEN, Decision.Outcome.THROTTLED, Decision.Outcome.QUOTA_EXCEEDED);
        }
        boolean quota = route.keylessPlan() != null && route.keylessPlan().quota() != null;
        return quota ? List.of(Decision.Outcome.THROTTLED, Decision.Outcome.QUOTA_EXCEEDED) : List.of(Decision.Outcome.THROTTLED);
    }

    private static int status(Rejection rejection, Decision.Outcome outcome) {
        if (rejection != null && rejection.status() != 0) {
            return rejection.status();
        }
        return outcome == Decision.Outcome.FORBIDDEN ? 403 : 429;
    }

    private static APIResponse rejection(List<Decision.Outcome> outcomes, ResponseSettings responses) {
        APIResponse response = OASFactory.createAPIResponse();
        List<String> descriptions = new ArrayList<>();
        Content content = OASFactory.createContent();
        boolean limits = false;
        for (Decision.Outcome outcome : outcomes) {
            Rejection rejection = responses.rejection(outcome);
            Rejection.Format format = rejection == null ? Rejection.Format.GATEWAY : rejection.format();
            String message = message(outcome);
            descriptions.add(description(outcome));
            limits |= outcome != Decision.Outcome.FORBIDDEN;
            switch (format) {
                case GATEWAY -> {
                    MediaType json = content.getMediaType(JSON);
                    if (json == null) {
                        json = OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().ref(MESSAGE_SCHEMA));
                        content.addMediaType(JSON, json);
                    }
                    json.addExample(outcome.name().toLowerCase(Locale.ROOT), OASFactory.createExample()
                            .summary(message).value(Map.of("message", message)));
                }
                case PROBLEM -> {
                    if (content.getMediaType("application/problem+json") == null) {
                        content.addMediaType("application/problem+json", OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                                        .description("RFC 9457 problem details")));
                    }
                }
                case TEMPLATE -> {
                    String type = rejection.contentType() == null ? JSON : rejection.contentType();
                    if (content.getMediaType(type) == null) {
                        content.addMediaType(type, OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
                    }
                }
                case EMPTY -> {
                    // no body
                }
            }
        }
        response.description(String.join("; ", descriptions));
        if (content.getMediaTypes() != null && !content.getMediaTypes().isEmpty()) {
            response.content(content);
        }
        if (limits) {
            response.addHeader("Retry-After", header("Seconds until a request can pass again (whole seconds, at least 1)",
                    Schema.SchemaType.INTEGER));
            if (responses.rateLimitHeaders()) {
                rateLimitHeaders(response);
            }
        }
        return response;
    }

    private static void rateLimitHeaders(APIResponse response) {
        if (response.getHeaders() == null || !response.getHeaders().containsKey("RateLimit-Policy")) {
            response.addHeader("RateLimit-Policy", header("The key's limits (draft-ietf-httpapi-ratelimit-headers): "
                    + "\"<plan>-burst\";q=<burst>;w=<seconds>, \"<plan>-day\";q=<quota>;w=<seconds>", Schema.SchemaType.STRING));
        }
        if (response.getHeaders() == null || !response.getHeaders().containsKey("RateLimit")) {
            response.addHeader("RateLimit", header("What remains of each limit: \"<policy>\";r=<remaining>;t=<seconds to reset>",
                    Schema.SchemaType.STRING));
        }
    }

    private static Header header(String description, Schema.SchemaType type) {
        return OASFactory.createHeader().description(description).schema(OASFactory.createSchema().addType(type));
    }

    private static String message(Decision.Outcome outcome) {
        return switch (outcome) {
            case FORBIDDEN -> "Forbidden";
            case THROTTLED -> "Too Many Requests";
            case QUOTA_EXCEEDED -> "Limit Exceeded";
            default -> outcome.name();
        };
    }

    private static String description(Decision.Outcome outcome) {
        return switch (outcome) {
            case FORBIDDEN -> "No API key, or a key that is unknown, disabled or not on a plan that may call this operation";
            case THROTTLED -> "A throttle (the plan's or this method's) has no token left";
            case QUOTA_EXCEEDED -> "The key's quota of the current period is used up";
            default -> outcome.name();
        };
    }

    /**
     * {@code {plans: [{name, cost, methodThrottle: {rateLimit, burstLimit}}]}}: method throttle only where there is one;
     * {@code keyless: {plan, throttle, quota}} where callers need no key and each client address is metered on a plan;
     * {@code stageThrottle: {rateLimit, burstLimit}} where the stage limits all callers together.
     */
    static Map<String, Object> extension(RouteDescription route) {
        List<Object> plans = new ArrayList<>();
        for (RouteDescription.PlanAccess access : route.plans()) {
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("name", access.plan());
            plan.put("cost", access.cost());
            Throttle throttle = access.methodThrottle();
            if (throttle != null) {
                plan.put("methodThrottle", limits(throttle));
            }
            plans.add(plan);
        }
        Map<String, Object> extension = new LinkedHashMap<>();
        extension.put("plans", plans);
        if (route.keylessPlan() != null) {
            Map<String, Object> keyless = new LinkedHashMap<>();
            keyless.put("plan", route.keylessPlan().name());
            if (route.keylessPlan().throttle() != null) {
                keyless.put("throttle", limits(route.keylessPlan().throttle()));
            }
            if (route.keylessPlan().quota() != null) {
                Map<String, Object> quota = new LinkedHashMap<>();
                quota.put("limit", route.keylessPlan().quota().limit());
                quota.put("period", route.keylessPlan().quota().period().name());
                keyless.put("quota", quota);
            }
            extension.put("keyless", keyless);
        }
        if (route.stageThrottle() != null) {
            extension.put("stageThrottle", limits(route.stageThrottle()));
        }
        return extension;
    }

    private static Map<String, Object> limits(Throttle throttle) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("rateLimit", throttle.rateLimit());
        limits.put("burstLimit", throttle.burstLimit());
        return limits;
    }
}
