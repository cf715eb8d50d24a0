package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.PlanFile;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee11.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.util.security.Credential;
import org.junit.jupiter.api.Test;

/** An authenticated identity names the caller's key (AWS's AUTHORIZER key source): usageplans.key-source. */
class IdentityKeysTest {

    static final String PLANS = """
            plans:
              - name: small
                quota: { limit: 2, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: alice, value: identity-alice-key-0123456789, plans: [small] }
              - { name: bob, value: identity-bob-key-0123456789, plans: [small] }
            """;

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    private UsagePlans engine() {
        return UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).build();
    }

    /** The filter as web.xml declares it, with {@code usageplans.key-source} as its init-param. */
    private static FilterHolder filter(UsagePlans engine, String keySource) {
        FilterHolder holder = new FilterHolder(new UsagePlanFilter(engine, null));
        holder.setInitParameters(Map.of("usageplans.key-source", keySource));
        return holder;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theServletLoginsPrincipalNameIsTheNameOfTheCallersKey() throws Exception {
        HashLoginService login = new HashLoginService("usage-plans");
        UserStore users = new UserStore();
        users.addUser("alice", Credential.getCredential("alice-password"), new String[] {"user"});
        users.addUser("bob", Credential.getCredential("bob-password"), new String[] {"user"});
        users.addUser("carol", Credential.getCredential("carol-password"), new String[] {"user"});
        login.setUserStore(users);
        ConstraintSecurityHandler security = new ConstraintSecurityHandler();
        security.setLoginService(login);
        security.setAuthenticator(new BasicAuthenticator());
        ConstraintMapping everything = new ConstraintMapping();
        everything.setPathSpec("/*");
        everything.setConstraint(Constraint.from("user"));
        security.addConstraintMapping(everything);
        try (UsagePlans engine = engine();
             JettyApp app = JettyApp.context("/test").configure(c -> c.setSecurityHandler(security))
                     .filter(filter(engine, "principal-name")).servlet(TestServer.AppServlet.class, "/*").start()) {
            HttpResponse<String> first = app.get("/pets").header("Authorization", basic("alice", "alice-password")).send();
            assertEquals(200, first.statusCode());
            assertEquals("\"small-day\";r=1;t=43200", header(first, "RateLimit"));
            assertEquals(200, app.get("/pets").header("Authorization", basic("alice", "alice-password")).send().statusCode());
            HttpResponse<String> third = app.get("/pets").header("Authorization", basic("alice", "alice-password")).send();
            assertEquals(429, third.statusCode(), "alice's key's quota of 2");
            assertEquals("{\"message\":\"Limit Exceeded\"}", third.body());
            assertEquals(200, app.get("/pets").header("Authorization", basic("bob", "bob-password")).send().statusCode(),
                    "bob's key counts on its own");

            HttpResponse<String> carol = app.get("/pets").header("Authorization", basic("carol", "carol-password")).send();
            assertEquals(403, carol.statusCode(), "signed in, but no key has her name: as an unknown key");
            assertEquals("{\"message\":\"Forbidden\"}", carol.body());
            assertEquals(401, app.get("/pets").send().statusCode(), "not signed in: the container's own answer");
            assertEquals(200, app.get("/pets").header("Authorization", basic("bob", "bob-password"))
                    .header("x-api-key", "identity-alice-key-0123456789").send().statusCode(),
                    "counted as bob's second: the x-api-key header is not read");
            assertEquals(429, app.get("/pets").header("Authorization", basic("bob", "bob-password")).send().statusCode());
        }
    }

    /** The application's own authentication: puts the caller's name in a request attribute, as a token check would. */
    public static class AttributeLogin implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            String caller = ((HttpServletRequest) req).getHeader("X-Test-Caller");
            if (caller != null) {
                req.setAttribute("com.example.caller", caller);
            }
            chain.doFilter(req, res);
        }
    }

    @Test
    void aRequestAttributeSetByTheAppsAuthFilterNamesTheKey() throws Exception {
        try (UsagePlans engine = engine();
             JettyApp app = JettyApp.context("/test").configure(c -> {
                 c.addFilter(AttributeLogin.class, "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addFilter(filter(engine, "attribute:com.example.caller"), "/*", EnumSet.of(DispatcherType.REQUEST));
             }).servlet(TestServer.AppServlet.class, "/*").start()) {
            assertEquals(200, app.get("/pets").header("X-Test-Caller", "bob").send().statusCode());
            assertEquals(200, app.get("/pets").header("X-Test-Caller", "bob").send().statusCode());
            assertEquals(429, app.get("/pets").header("X-Test-Caller", "bob").send().statusCode());
            assertEquals(403, app.get("/pets").header("X-Test-Caller", "mallory").send().statusCode(), "no key of that name");
            assertEquals(403, app.get("/pets").header("x-api-key", "identity-alice-key-0123456789").send().statusCode(),
                    "no identity: no key, whatever header is sent");
        }
    }

    /** As MicroProfile JWT's {@code JsonWebToken}: a principal whose claims can be read. */
    public interface TokenPrincipal extends Principal {
        <T> T getClaim(String claimName);
    }

    /**
     * Verifies an HS256 JSON Web Token from {@code Authorization: Bearer} (the test's own verifier, standing in for a
     * MicroProfile JWT runtime) and signs the caller in with its claims; a bad signature is answered 401.
     */
    public static class JwtLogin implements Filter {
        static final byte[] SECRET = "identity-keys-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            String authorization = request.getHeader("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                chain.doFilter(req, res);
                return;
            }
            String[] parts = authorization.substring(7).split("\\.");
            if (parts.length != 3 || !MessageDigest.isEqual(Base64.getUrlDecoder().decode(parts[2]),
                    hmac(parts[0] + "." + parts[1]))) {
                ((HttpServletResponse) res).sendError(401);
                return;
            }
            String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            Map<String, String> claims = new java.util.HashMap<>();
            Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"").matcher(payload);
            while (m.find()) {
                claims.put(m.group(1), m.group(2));
            }
            TokenPrincipal principal = new TokenPrincipal() {
                @Override
                public String getName() {
                    return claims.get("upn");
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> T getClaim(String claimName) {
                    return (T) claims.get(claimName);
                }
            };
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }
            }, res);
        }

        static String token(String payload) {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signed = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
            return signed + "." + b64.encodeToString(hmac(signed));
        }

        static byte[] hmac(String text) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
                return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aClaimOfTheCallersSignedTokenNamesTheKey() throws Exception {
        try (UsagePlans engine = engine();
             JettyApp app = JettyApp.context("/test").configure(c -> {
                 c.addFilter(JwtLogin.class, "/*", EnumSet.of(DispatcherType.REQUEST));
                 c.addFilter(filter(engine, "jwt-claim:customer"), "/*", EnumSet.of(DispatcherType.REQUEST));
             }).servlet(TestServer.AppServlet.class, "/*").start()) {
            String alice = "Bearer " + JwtLogin.token("{\"upn\":\"alice@example.com\",\"customer\":\"alice\"}");
            HttpResponse<String> first = app.get("/pets").header("Authorization", alice).send();
            assertEquals(200, first.statusCode());
            assertEquals("\"small-day\";r=1;t=43200", header(first, "RateLimit"));
            assertEquals(200, app.get("/pets").header("Authorization", alice).send().statusCode());
            assertEquals(429, app.get("/pets").header("Authorization", alice).send().statusCode());
            String carol = "Bearer " + JwtLogin.token("{\"upn\":\"carol@example.com\",\"customer\":\"carol\"}");
            assertEquals(403, app.get("/pets").header("Authorization", carol).send().statusCode(), "no key named carol");
            String noClaim = "Bearer " + JwtLogin.token("{\"upn\":\"bob@example.com\"}");
            assertEquals(403, app.get("/pets").header("Authorization", noClaim).send().statusCode(), "no such claim: no key");
            String forged = alice.substring(0, alice.lastIndexOf('.') + 1) + "AAAA";
            assertEquals(401, app.get("/pets").header("Authorization", forged).send().statusCode(), "the verifier refuses it");
        }
    }

    @Test
    void anUnknownKeySourceStopsStartUpListingTheIdentitySources() {
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> ApiKeyResolver.fromSetting("claim:sub", IdentityKeysTest.class.getClassLoader()));
        assertTrue(e.getMessage().contains("principal-name, attribute:<name>, jwt-claim:<claim>"), e.getMessage());
    }
}
