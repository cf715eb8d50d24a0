package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.TOKEN;
import static io.usageplans.admin.AdminServer.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.eclipse.jetty.ee11.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee11.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.util.security.Credential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The usage export over HTTP ({@code GET usageplans/{plan}/usage/export}) after known usage placed on days with the
 * injected clock: the CSV byte for byte (quoting, formula defusing, a plan without a quota), the same rows as JSON,
 * the download headers, who may call it, and every refusal as problem+json.
 */
class UsageExportOverHttpTest {

    static final String CUSTOMER = "customer-key-value-0123456789";
    static final String ACME = "acme-key-value-0123456789";
    static final String FORMULA = "formula-key-value-0123456789";
    static final String DEV = "dev-key-value-0123456789";
    /** A key name with a comma, quotes and a line break. */
    static final String ACME_NAME = "acme, \"east\"\nteam";
    /** A key name a spreadsheet would run as a formula. */
    static final String FORMULA_NAME = "=HYPERLINK(\"http://evil.example\",\"x\")";

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private UsagePlans engine;
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** basic: 5 a day, with five keys whose names need care in a CSV; dev: no quota; "gold plus ü": no keys. */
    static Catalog catalog() {
        return Catalog.builder().api("shop")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2)).quota(Quota.limit(5).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(1000)).stage("test").build())
                .plan(Plan.builder("gold plus ü").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(CUSTOMER).plans("basic").build())
                .apiKey(ApiKey.builder(ACME_NAME).value(ACME).plans("basic").build())
                .apiKey(ApiKey.builder(FORMULA_NAME).value(FORMULA).plans("basic").build())
                .apiKey(ApiKey.builder("@SUM(A1)").value("at-key-value-0123456789").plans("basic").build())
                .apiKey(ApiKey.builder("-1+2").value("minus-key-value-0123456789").plans("basic").build())
                .apiKey(ApiKey.builder("dev-team").value(DEV).plans("dev").build())
                .excludePath("/usage-plans/*")
                .build();
    }

    private void start(UsageStore store) throws Exception {
        UsagePlans.Builder builder = UsagePlans.builder(catalog()).stage("test").clock(clock);
        if (store != null) {
            builder.store(store);
        }
        engine = builder.build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    /** The 23rd: basic-customer 2; the 24th: basic-customer 1, acme 3, the formula key 1, dev-team 1. */
    private void knownUsage() throws Exception {
        use(CUSTOMER, 2);
        clock.set(Instant.parse("2026-11-24T10:00:00Z"));
        use(CUSTOMER, 1);
        use(ACME, 3);
        use(FORMULA, 1);
        use(DEV, 1);
    }

    @Test
    void csvHasOneRowPerKeyAndDayWithNamesQuotedAndFormulasDefused() throws Exception {
        start(null);
        knownUsage();

        HttpResponse<String> csv = get("usageplans/basic/usage/export?startDate=2026-11-23&endDate=2026-11-24&format=csv", null);

        assertEquals(200, csv.statusCode(), csv.body());
        assertEquals("text/csv;charset=UTF-8", csv.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("attachment; filename=\"usage-basic-2026-11-23-2026-11-24.csv\"",
                csv.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("no-store", csv.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("keyId,keyName,date,used,remaining\r\n"
                + "'-1+2,'-1+2,2026-11-23,0,5\r\n"
                + "'-1+2,'-1+2,2026-11-24,0,5\r\n"
                + "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",2026-11-23,0,5\r\n"
                + "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",2026-11-24,1,4\r\n"
                + "'@SUM(A1),'@SUM(A1),2026-11-23,0,5\r\n"
                + "'@SUM(A1),'@SUM(A1),2026-11-24,0,5\r\n"
                + "\"acme, \"\"east\"\"\nteam\",\"acme, \"\"east\"\"\nteam\",2026-11-23,0,5\r\n"
                + "\"acme, \"\"east\"\"\nteam\",\"acme, \"\"east\"\"\nteam\",2026-11-24,3,2\r\n"
                + "basic-customer,basic-customer,2026-11-23,2,3\r\n"
                + "basic-customer,basic-customer,2026-11-24,1,4\r\n", csv.body());
        for (String value : new String[] {CUSTOMER, ACME, FORMULA}) {
            assertFalse(csv.body().contains(value), "no key value in the export");
        }

        assertEquals("keyId,keyName,date,used,remaining\r\ndev-team,dev-team,2026-11-24,1,\r\n",
                get("usageplans/dev/usage/export?startDate=2026-11-24&endDate=2026-11-24&format=CSV", null).body(),
                "a plan without a quota has no remaining");
    }

    @Test
    void jsonHasTheSameRows() throws Exception {
        start(null);
        knownUsage();

        HttpResponse<String> json = get("usageplans/basic/usage/export?startDate=2026-11-24&endDate=2026-11-24&format=json", null);

        assertEquals(200, json.statusCode(), json.body());
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("attachment; filename=\"usage-basic-2026-11-24-2026-11-24.json\"",
                json.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("{\"usagePlanId\":\"basic\",\"startDate\":\"2026-11-24\",\"endDate\":\"2026-11-24\",\"items\":["
                + "{\"keyId\":\"-1+2\",\"keyName\":\"-1+2\",\"date\":\"2026-11-24\",\"used\":0,\"remaining\":5},"
                + "{\"keyId\":\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\",\"keyName\":\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\","
                + "\"date\":\"2026-11-24\",\"used\":1,\"remaining\":4},"
                + "{\"keyId\":\"@SUM(A1)\",\"keyName\":\"@SUM(A1)\",\"date\":\"2026-11-24\",\"used\":0,\"remaining\":5},"
                + "{\"keyId\":\"acme, \\\"east\\\"\\nteam\",\"keyName\":\"acme, \\\"east\\\"\\nteam\",\"date\":\"2026-11-24\",\"used\":3,\"remaining\":2},"
                + "{\"keyId\":\"basic-customer\",\"keyName\":\"basic-customer\",\"date\":\"2026-11-24\",\"used\":1,\"remaining\":4}]}",
                json.body());
        assertEquals("{\"usagePlanId\":\"dev\",\"startDate\":\"2026-11-24\",\"endDate\":\"2026-11-24\",\"items\":["
                        + "{\"keyId\":\"dev-team\",\"keyName\":\"dev-team\",\"date\":\"2026-11-24\",\"used\":1,\"remaining\":null}]}",
                get("usageplans/dev/usage/export?startDate=2026-11-24&endDate=2026-11-24&format=json", null).body());
    }

    @Test
    void withoutFormatTheAcceptHeaderChoosesAndCsvIsTheDefault() throws Exception {
        start(null);
        knownUsage();
        String path = "usageplans/dev/usage/export?startDate=2026-11-24&endDate=2026-11-24";

        assertEquals("application/json", get(path, "application/json").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("text/csv;charset=UTF-8", get(path, "text/csv").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("application/json", get(path, "text/csv;q=0.5, application/json").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("text/csv;charset=UTF-8", get(path, "*/*").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("text/csv;charset=UTF-8", get(path, null).headers().firstValue("Content-Type").orElseThrow());
        assertEquals("text/csv;charset=UTF-8", get(path + "&format=csv", "application/json").headers().firstValue("Content-Type")
                .orElseThrow(), "format wins over Accept");

        HttpResponse<String> html = get(path, "text/html");
        assertEquals(406, html.statusCode());
        assertEquals("application/problem+json", html.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void aPlanNameThatIsNoSafeFileNameIsReplacedInFilenameAndKeptInFilenameStar() throws Exception {
        start(null);

        HttpResponse<String> csv = get("usageplans/gold%20plus%20%C3%BC/usage/export?startDate=2026-11-24&endDate=2026-11-24", null);

        assertEquals(200, csv.statusCode(), csv.body());
        assertEquals("attachment; filename=\"usage-gold_plus__-2026-11-24-2026-11-24.csv\"; "
                        + "filename*=UTF-8''usage-gold%20plus%20%C3%BC-2026-11-24-2026-11-24.csv",
                csv.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("keyId,keyName,date,used,remaining\r\n", csv.body(), "a plan without keys has the header only");
    }

    @Test
    void badRequestsGetProblemsNamingTheParameterAndValue() throws Exception {
        start(null);
        String export = "usageplans/basic/usage/export";

        assertProblem(404, "usagePlanId", "gold", get("usageplans/gold/usage/export?startDate=2026-11-24&endDate=2026-11-24", null));
        assertProblem(400, "startDate", "2026-13-01", get(export + "?startDate=2026-13-01&endDate=2026-11-24", null));
        assertProblem(400, "endDate", "24.11.2026", get(export + "?startDate=2026-11-24&endDate=24.11.2026", null));
        assertProblem(400, "startDate", null, get(export + "?endDate=2026-11-24", null));
        assertProblem(400, "endDate", null, get(export + "?startDate=2026-11-24", null));
        assertProblem(400, "endDate", "2026-11-23", get(export + "?startDate=2026-11-24&endDate=2026-11-23", null));
        assertProblem(400, "endDate", "2027-01-01", get(export + "?startDate=2025-12-30&endDate=2027-01-01", null));
        assertEquals(200, get(export + "?startDate=2025-12-31&endDate=2026-12-31", null).statusCode(), "366 days are allowed");
        HttpResponse<String> lastDays = get(export + "?startDate=%2B999999999-12-30&endDate=%2B999999999-12-31", null);
        assertEquals(200, lastDays.statusCode(), lastDays.body());
        assertTrue(lastDays.body().endsWith("basic-customer,basic-customer,+999999999-12-31,0,5\r\n"), lastDays.body());
        assertEquals(200, get(export + "?startDate=-999999999-01-01&endDate=-999999999-01-02&format=json", null).statusCode(),
                "the first days there are");
        assertProblem(400, "format", "xlsx", get(export + "?startDate=2026-11-24&endDate=2026-11-24&format=xlsx", null));
        assertProblem(400, "format", "", get(export + "?startDate=2026-11-24&endDate=2026-11-24&format=", null));
        assertProblem(400, "format", null, get(export + "?startDate=2026-11-24&endDate=2026-11-24&format=csv&format=json", null));
        assertEquals(405, server.admin("POST", export + "?startDate=2026-11-24&endDate=2026-11-24", "application/json", "{}")
                .statusCode());
    }

    @Test
    void onlyTheAdminMayExport() throws Exception {
        start(null);
        knownUsage();
        String path = "usageplans/basic/usage/export?startDate=2026-11-24&endDate=2026-11-24";

        HttpResponse<String> none = server.call("GET", path, null, null, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"usage-plans\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertFalse(none.body().contains("basic-customer"), "no data");
        assertEquals(401, server.call("GET", path, null, null, "Bearer not-the-admin-token-0123").statusCode());
        assertEquals(200, server.call("GET", path, null, null, "Bearer " + TOKEN).statusCode());
    }

    @Test
    void aSignedInUserWithoutTheAdminRoleGets403() throws Exception {
        engine = UsagePlans.builder(catalog()).stage("test").clock(clock).build();
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
        String path = "usageplans/basic/usage/export?startDate=2026-11-24&endDate=2026-11-24";

        HttpResponse<String> clerk = server.call("GET", path, null, null, basic("clerk", "clerk-password"));
        assertEquals(403, clerk.statusCode());
        assertEquals("application/problem+json", clerk.headers().firstValue("Content-Type").orElseThrow());
        assertFalse(clerk.body().contains("basic-customer"), "no data");
        HttpResponse<String> operator = server.call("GET", path, null, null, basic("operator", "operator-password"));
        assertEquals(200, operator.statusCode());
        assertTrue(operator.body().contains("basic-customer,basic-customer,2026-11-24,0,5\r\n"), operator.body());
    }

    @Test
    void aStoreWithoutUsageHistoryAnswers501() throws Exception {
        LocalUsageStore local = LocalUsageStore.create(clock);
        start(new UsageStore() { // declares no capabilities
            @Override
            public Consumption tryConsume(MeteringRequest request) {
                return local.tryConsume(request);
            }

            @Override
            public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
                local.refund(request, planBucket, methodBucket, quota);
            }

            @Override
            public void close() {
                local.close();
            }
        });

        for (String format : new String[] {"csv", "json"}) {
            HttpResponse<String> response = get("usageplans/basic/usage/export?startDate=2026-11-24&endDate=2026-11-24&format="
                    + format, null);
            assertEquals(501, response.statusCode(), response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(response.body().contains("USAGE_HISTORY"), response.body());
        }
        assertEquals(501, server.admin("GET", "usageplans/basic/usage?startDate=2026-11-24&endDate=2026-11-24").statusCode(),
                "as GetUsage");
    }

    private void use(String apiKey, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofSeconds(2)); // the throttle refills
            assertEquals(200, server.pets(apiKey).statusCode());
        }
    }

    /** An admin GET with the token and, when not null, an Accept header. */
    private HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url("/usage-plans/admin/" + path)))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(20)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertProblem(int status, String field, String value, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow(), response.body());
        Map<String, Object> problem = AdminServer.json(response);
        assertEquals(status, problem.get("status"), response.body());
        assertEquals(field, problem.get("field"), response.body());
        assertEquals(value, problem.get("value"), response.body());
        assertTrue(String.valueOf(problem.get("detail")).length() > 10, response.body());
    }
}
