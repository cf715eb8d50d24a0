package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.TOKEN;
import static io.usageplans.admin.AdminServer.basic;
import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Http;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee11.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.util.security.Credential;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who gets in: the admin token, or a user the container signed in with the admin role. Everyone else is refused
 * with 401 or 403 and no data; with the admin off, everything is 404.
 */
class AdminAccessOverHttpTest {

    private final UsagePlans engine = UsagePlans.builder(AdminServer.catalog()).stage("test")
            .clock(MutableClock.at("2026-11-25T10:00:00Z")).build();
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        engine.close();
    }

    @Test
    void aCallWithoutCredentialsGets401WithABearerChallengeAndNoData() throws Exception {
        server = AdminServer.start(engine, AdminServer.adminOn());
        for (String path : new String[] {"", "apikeys", "usageplans/basic/usage?startDate=2026-11-25&endDate=2026-11-25", "stats",
                "no/such/path"}) {
            HttpResponse<String> refused = server.call("GET", path, null, null, null);
            assertEquals(401, refused.statusCode(), path);
            assertEquals("Bearer realm=\"usage-plans\"", refused.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"the usage-plans admin "
                    + "API needs the admin token (Authorization: Bearer ...) or a user in its role\"}", refused.body());
        }
        HttpResponse<String> create = server.call("POST", "apikeys", "application/json",
                "{\"name\":\"intruder\",\"usagePlanIds\":[\"premium\"]}", null);
        assertEquals(401, create.statusCode());
        assertEquals(404, server.admin("GET", "apikeys/intruder").statusCode(), "nothing was created");
    }

    @Test
    void aWrongTokenGets401AndTheRightOneGets200() throws Exception {
        server = AdminServer.start(engine, AdminServer.adminOn());
        HttpResponse<String> wrong = server.call("GET", "apikeys", null, null, "Bearer not-the-admin-token-0123456789");
        assertEquals(401, wrong.statusCode());
        assertEquals("Bearer realm=\"usage-plans\", error=\"invalid_token\"", wrong.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertFalse(wrong.body().contains("basic-customer"));
        assertEquals(401, server.call("GET", "apikeys", null, null, basic("admin", TOKEN)).statusCode(),
                "the token as a password of Basic authentication is not the bearer token");
        assertEquals(200, server.call("GET", "apikeys", null, null, "bearer " + TOKEN).statusCode());
    }

    @Test
    void theTokenMayBeGivenAsItsSha256() throws Exception {
        server = AdminServer.start(engine, Map.of(AdminSettings.ENABLED, "true", AdminSettings.TOKEN_SHA256,
                ApiKey.sha256Hex(TOKEN).toUpperCase(Locale.ROOT)));
        assertEquals(200, server.admin("GET", "stats").statusCode());
        assertEquals(401, server.call("GET", "stats", null, null, "Bearer " + ApiKey.sha256Hex(TOKEN)).statusCode());
    }

    @Test
    void aSignedInUserWithoutTheAdminRoleGets403AndOneWithItGets200() throws Exception {
        server = AdminServer.start(engine, Map.of(AdminSettings.ENABLED, "true"), context -> {
            UserStore users = new UserStore();
            users.addUser("operator", Credential.getCredential("operator-password"), new String[] {"usage-plans-admin"});
            users.addUser("clerk", Credential.getCredential("clerk-password"), new String[] {"staff"});
            HashLoginService login = new HashLoginService("usage-plans");
            login.setUserStore(users);
            ConstraintMapping signedIn = new ConstraintMapping();
            signedIn.setPathSpec("/usage-plans/*");
            signedIn.setConstraint(Constraint.ANY_USER);
            ConstraintSecurityHandler security = new ConstraintSecurityHandler();
            security.setAuthenticator(new BasicAuthenticator());
            security.setLoginService(login);
            security.addConstraintMapping(signedIn);
            context.setSecurityHandler(security);
        });

        HttpResponse<String> clerk = server.call("GET", "apikeys", null, null, basic("clerk", "clerk-password"));
        assertEquals(403, clerk.statusCode());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"the signed-in user does "
                + "not have the role 'usage-plans-admin' that the usage-plans admin API needs\"}", clerk.body());
        HttpResponse<String> operator = server.call("GET", "apikeys", null, null, basic("operator", "operator-password"));
        assertEquals(200, operator.statusCode());
        assertTrue(operator.body().contains("\"id\":\"basic-customer\""));
        assertEquals(401, server.call("GET", "apikeys", null, null, null).statusCode(), "the container asks for a user");
        assertEquals(401, server.call("GET", "apikeys", null, null, basic("operator", "wrong")).statusCode());
    }

    @Test
    void withTheAdminOffEveryAdminUrlAndTheDashboardAnswer404() throws Exception {
        server = AdminServer.start(engine, Map.of(AdminSettings.TOKEN, TOKEN));
        for (String path : new String[] {"", "apikeys", "stats", "usageplans"}) {
            HttpResponse<String> off = server.admin("GET", path);
            assertEquals(404, off.statusCode(), path);
            assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}", off.body());
        }
        assertEquals(404, server.admin("DELETE", "apikeys/basic-customer").statusCode());
        assertEquals(200, server.pets(AdminServer.BASIC_KEY).statusCode(), "the key is still there");
        for (String page : new String[] {"/usage-plans/", "/usage-plans/dashboard.js"}) {
            assertEquals(404, server.get(page).statusCode(), page);
        }
    }

    @Test
    void aTooShortTokenStopsTheDeploymentSayingWhy() {
        Exception failure = assertThrows(Exception.class, () -> AdminServer.start(engine,
                Map.of(AdminSettings.ENABLED, "true", AdminSettings.TOKEN, "short-secret")));
        assertEquals("usage-plans: init-param usageplans.admin.token: the admin token has 12 characters; it needs at least 16",
                failure.getMessage());
    }

    @Test
    void theResourcesServedByAnotherApplicationAnswer404() throws Exception {
        // an application that takes every @Path class of the WAR, the admin's included, but not its filter
        server = AdminServer.start(engine, AdminServer.adminOn(), context -> context.addServlet(new ServletHolder("everything",
                new ServletContainer(new ResourceConfig(ApiKeysResource.class, StatusResource.class, StatsResource.class)
                        .property("jersey.config.server.wadl.disableWadl", true))), "/usage-plans/other/*"));
        HttpResponse<String> foreign = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(server.url("/usage-plans/other/apikeys")))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, foreign.statusCode());
        assertFalse(foreign.body().contains("basic-customer"));
        assertEquals(200, server.admin("GET", "apikeys").statusCode(), "its own application still serves them");
    }

    @Test
    void theDashboardPageIsServedWithAStrictContentSecurityPolicy() throws Exception {
        server = AdminServer.start(engine, AdminServer.adminOn());
        HttpResponse<String> page = server.get("/usage-plans/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow().toLowerCase(Locale.ROOT));
        assertEquals(DashboardServlet.CONTENT_SECURITY_POLICY, page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertTrue(page.body().contains("data-api=\"/test/usage-plans/admin\""), "the API's path in this context");
        assertFalse(page.body().contains("basic-customer"), "the page itself holds no data");
        assertEquals(302, Http.CLIENT.send(HttpRequest.newBuilder(URI.create(server.url("/usage-plans"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals("text/javascript;charset=utf-8", server.get("/usage-plans/dashboard.js").headers().firstValue("Content-Type")
                .orElseThrow().toLowerCase(Locale.ROOT));
        assertEquals(404, server.get("/usage-plans/secrets.txt").statusCode());
        assertEquals(json(server.admin("GET", "status")).get("stage"), "test");
    }
}
