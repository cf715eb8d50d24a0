package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import io.usageplans.UsagePlans;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testsupport.Http;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Where the key comes from (usageplans.key-source), and requests that carry more than one. */
class KeySourcesTest {

    static final String KEY = "key-sources-key-0123456789";
    static final String OTHER = "key-sources-other-0123456789";
    static final String UNKNOWN = "key-sources-nobody-0123456789";

    private static final String PLANS = """
            plans:
              - name: small
                quota: { limit: 5, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: customer
                value: key-sources-key-0123456789
                plans: [small]
              - name: other-customer
                value: key-sources-other-0123456789
                plans: [small]
            """;

    /** The application's own resolver: the key from {@code Authorization: Bearer <key>}. */
    public static class BearerKey implements ApiKeyResolver {
        @Override
        public String resolve(HttpServletRequest request) {
            String authorization = request.getHeader("Authorization");
            return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        }
    }

    /** Runs before ours: signs the caller in as the user named in {@code X-User}, as a security layer would. */
    public static class Login implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            String user = ((HttpServletRequest) req).getHeader("X-User");
            if (user == null) {
                chain.doFilter(req, res);
                return;
            }
            chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) req) {
                @Override
                public Principal getUserPrincipal() {
                    return () -> user;
                }
            }, res);
        }
    }

    @TempDir
    Path dir;

    @RegisterExtension
    private final LogRecorder rejections = LogRecorder.of(UsagePlans.REJECTIONS_LOGGER).withLoggerLevel(Level.INFO);

    private List<String> logged() {
        return rejections.messages();
    }

    private TestServer start(String keySource) throws Exception {
        Path file = Files.writeString(dir.resolve("plans.yaml"), PLANS);
        Map<String, String> settings = keySource == null ? Map.of("usageplans.config", file.toString())
                : Map.of("usageplans.config", file.toString(), "usageplans.key-source", keySource);
        return TestServer.start(context -> {
            context.addFilter(new FilterHolder(new Login()), "/*", EnumSet.of(DispatcherType.REQUEST));
            FilterHolder ours = new FilterHolder(UsagePlanFilter.class);
            ours.setName("UsagePlans");
            ours.setInitParameters(settings);
            context.addFilter(ours, "/*", EnumSet.of(DispatcherType.REQUEST));
        });
    }

    private static HttpResponse<String> send(TestServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]); // adds: a name given twice is sent twice
        }
        return Http.CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoDifferentKeyHeadersAreForbiddenWhicheverComesFirstAndChargeNoKey() throws Exception {
        try (TestServer server = start(null)) {
            for (String[] keys : new String[][] {{UNKNOWN, KEY}, {KEY, UNKNOWN}, {KEY, OTHER}}) {
                HttpResponse<String> r = send(server, "/pets", "x-api-key", keys[0], "x-api-key", keys[1]);
                assertEquals(403, r.statusCode(), String.join(", ", keys));
                assertEquals("{\"message\":\"Forbidden\"}", r.body());
            }
            HttpResponse<String> same = send(server, "/pets", "x-api-key", KEY, "x-api-key", KEY);
            assertEquals(200, same.statusCode(), "the same key twice is one key");
            assertTrue(header(same, "RateLimit").startsWith("\"small-day\";r=4;"), "only this request was counted: "
                    + header(same, "RateLimit"));
            String other = header(send(server, "/pets", "x-api-key", OTHER), "RateLimit");
            assertTrue(other.startsWith("\"small-day\";r=4;"), "the other key was not charged either: " + other);
        }
        assertEquals(3, logged().stream().filter(l -> l.equals("usage-plans: 403 Forbidden for GET /pets on stage test: several keys"))
                .count(), String.join("\n", logged()));
        assertTrue(logged().stream().noneMatch(l -> l.contains(KEY) || l.contains(UNKNOWN)), "no key in full: " + logged());
    }

    @Test
    void aQueryParameterGivenTwiceWithDifferentKeysIsForbidden() throws Exception {
        try (TestServer server = start("query:api_key")) {
            assertEquals(403, send(server, "/x?api_key=" + UNKNOWN + "&api_key=" + KEY).statusCode());
            assertEquals(403, send(server, "/x?api_key=" + KEY + "&api_key=" + UNKNOWN).statusCode());
            assertEquals(200, send(server, "/x?api_key=" + KEY + "&api_key=" + KEY).statusCode());
            assertEquals(200, send(server, "/x?api_key=" + KEY).statusCode());
        }
    }

    @Test
    void withKeySourcePrincipalTheSignedInUsersNameIsTheKeyAndTheHeaderIsIgnored() throws Exception {
        try (TestServer server = start("principal")) {
            HttpResponse<String> signedIn = send(server, "/pets", "X-User", KEY);
            assertEquals(200, signedIn.statusCode());
            assertTrue(header(signedIn, "RateLimit").startsWith("\"small-day\";r=4;"), header(signedIn, "RateLimit"));
            assertEquals(403, send(server, "/pets", "x-api-key", KEY).statusCode(), "not signed in: the header does not count");
            assertEquals(403, send(server, "/pets", "X-User", UNKNOWN).statusCode());
        }
    }

    @Test
    void aResolverClassNamedInKeySourceIsUsed() throws Exception {
        try (TestServer server = start(BearerKey.class.getName())) {
            HttpResponse<String> bearer = send(server, "/pets", "Authorization", "Bearer " + KEY);
            assertEquals(200, bearer.statusCode());
            assertTrue(header(bearer, "RateLimit").startsWith("\"small-day\";r=4;"), header(bearer, "RateLimit"));
            assertEquals(403, send(server, "/pets", "x-api-key", KEY).statusCode(), "the default header is not read");
            assertEquals(403, send(server, "/pets", "Authorization", "Basic " + KEY).statusCode());
        }
    }
}
