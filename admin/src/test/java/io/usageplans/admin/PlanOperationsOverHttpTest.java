package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CreateUsagePlan, UpdateUsagePlan and DeleteUsagePlan over HTTP, and what the next metered request sees of them. The
 * clock stands still, so no bucket refills between requests.
 */
class PlanOperationsOverHttpTest {

    static final String TRIAL_KEY = "trial-key-value-0123456789";
    static final String METERED_KEY = "metered-key-value-0123456789";

    private final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    private UsagePlans engine;
    private AdminServer server;
    private final LogRecorder auditLog = LogRecorder.of(UsagePlansAdmin.class);

    /** trial: 1/s, burst 5, no quota; metered: 1000/s, 10 a day; spare: used by no key. */
    static Catalog catalog() {
        return Catalog.builder().api("shop")
                .plan(Plan.builder("trial").throttle(Throttle.rateLimit(1).burstLimit(5)).stage("test").build())
                .plan(Plan.builder("metered").throttle(Throttle.rateLimit(1000).burstLimit(1000))
                        .quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("spare").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").build())
                .apiKey(ApiKey.builder("trial-customer").value(TRIAL_KEY).plans("trial").build())
                .apiKey(ApiKey.builder("metered-customer").value(METERED_KEY).plans("metered").build())
                .excludePath("/usage-plans/*")
                .build();
    }

    @BeforeEach
    void start() throws Exception {
        engine = UsagePlans.builder(catalog()).stage("test").clock(clock).build();
        server = AdminServer.start(engine, AdminServer.adminOn());
        auditLog.start();
    }

    @AfterEach
    void stop() {
        auditLog.close();
        server.close();
        engine.close();
    }

    private List<String> audit() {
        return auditLog.messages();
    }

    @Test
    void planChangeOverAdminApiTakesEffectOnTheNextRequest() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, server.pets(TRIAL_KEY).statusCode());
        }
        HttpResponse<String> sixth = server.pets(TRIAL_KEY);
        assertEquals(429, sixth.statusCode());
        assertEquals("\"trial-burst\";q=5;w=5", sixth.headers().firstValue("RateLimit-Policy").orElseThrow());

        HttpResponse<String> changed = server.adminJson("PATCH", "usageplans/trial",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/throttle/burstLimit\",\"value\":\"50\"}]}");

        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals("{\"id\":\"trial\",\"name\":\"trial\",\"description\":\"\",\"throttle\":{\"rateLimit\":1.0,\"burstLimit\":50},"
                + "\"quota\":null,\"enabled\":true,\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]}",
                changed.body());
        assertEquals(List.of("usage-plans: the admin token changed plan 'trial' (replace /throttle/burstLimit 50): "
                + "throttle 1/s burst 5, quota none, stages [test] -> throttle 1/s burst 50, quota none, stages [test]"), audit());
        HttpResponse<String> next = server.pets(TRIAL_KEY);
        assertEquals(200, next.statusCode(), "the raised burst lets the next request through");
        assertEquals("\"trial-burst\";q=50;w=50", next.headers().firstValue("RateLimit-Policy").orElseThrow());
        // how many of the 50 remain depends on how the store carries the bucket over (a fresh one, or the difference added)
        assertTrue(next.headers().firstValue("RateLimit").orElseThrow().matches("\"trial-burst\";r=4[4-9];t=[0-9]+"),
                next.headers().firstValue("RateLimit").orElseThrow());
        assertEquals("{\"id\":\"trial\",\"name\":\"trial\",\"description\":\"\",\"throttle\":{\"rateLimit\":1.0,\"burstLimit\":50},"
                + "\"quota\":null,\"enabled\":true,\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]}",
                server.admin("GET", "usageplans/trial").body());
    }

    @Test
    void aRaisedQuotaLimitLetsTheEleventhRequestThroughAndRefusesTheTwentyFirst() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(200, server.pets(METERED_KEY).statusCode());
        }
        assertEquals(429, server.pets(METERED_KEY).statusCode(), "the 11th of 10");

        HttpResponse<String> changed = server.adminJson("PATCH", "usageplans/metered",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":\"20\"}]}");
        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals(20, ((Map<?, ?>) json(changed).get("quota")).get("limit"));

        for (int i = 11; i <= 20; i++) {
            assertEquals(200, server.pets(METERED_KEY).statusCode(), "request " + i + " of 20");
        }
        HttpResponse<String> over = server.pets(METERED_KEY);
        assertEquals(429, over.statusCode(), "the 21st of 20");
        assertEquals("{\"message\":\"Limit Exceeded\"}", over.body());
    }

    @Test
    void badPatchOperationsAre400NamingPathAndValueAndChangeNothing() throws Exception {
        String before = server.admin("GET", "usageplans/metered").body();
        String[][] cases = {
                // body, path or field in the answer, value in the answer
                {op("replace", "/quota/limt", "20"), "/quota/limt", "20"},
                {op("replace", "/quota/limit", "twenty"), "/quota/limit", "twenty"},
                {op("replace", "/quota/limit", "-5"), "/quota/limit", "-5"},
                {op("replace", "/throttle/burstLimit", "0"), "/throttle/burstLimit", "0"},
                {op("replace", "/throttle/rateLimit", "0"), "/throttle/rateLimit", "0"},
                {op("replace", "/throttle/rateLimit", "NaN"), "/throttle/rateLimit", "NaN"},
                {op("move", "/quota/limit", "20"), "/quota/limit", "20"},
                {op("replace", "/quota/period", "YEAR"), "/quota/period", "YEAR"},
                {op("replace", "/quota/offset", "3"), "/quota/offset", "3"},
                {op("replace", "/quota/limit", "99999999999999999999"), "/quota/limit", "99999999999999999999"},
                {op("replace", "/apiStages/shop:prod/throttle/~1pets/GET/rateLimit", "5"),
                        "/apiStages/shop:prod/throttle/~1pets/GET/rateLimit", "5"},
                {op("replace", "/apiStages/other:test/throttle/~1pets/GET/rateLimit", "5"),
                        "/apiStages/other:test/throttle/~1pets/GET/rateLimit", "5"},
                {op("remove", "/apiStages", "shop:prod"), "/apiStages", "shop:prod"},
                {op("remove", "/quota/limit", null), "/quota/limit", null},
                {"{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":\"20\"},"
                        + "{\"op\":\"replace\",\"path\":\"/throttle/burstLimit\",\"value\":\"-1\"}]}", "/throttle/burstLimit", "-1"},
                {"{\"patchOperations\":[]}", "patchOperations", null},
                {"{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":{\"n\":1}}]}",
                        "patchOperations[0].value", "{n=1}"},
                {"{\"quota\":{\"limit\":20}}", "quota", null},
                {"not json", "body", null},
                {"[1,2]", "body", null},
        };
        for (String[] c : cases) {
            HttpResponse<String> answer = server.adminJson("PATCH", "usageplans/metered", c[0]);
            assertEquals(400, answer.statusCode(), c[0] + " -> " + answer.body());
            assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow());
            Map<String, Object> problem = json(answer);
            assertEquals(c[1], problem.get("field"), c[0] + " -> " + answer.body());
            assertEquals(c[2], problem.get("value"), c[0] + " -> " + answer.body());
            if (c[1].startsWith("/")) {
                assertTrue(((String) problem.get("detail")).contains(c[1]), answer.body());
            }
        }
        HttpResponse<String> large = server.adminJson("PATCH", "usageplans/metered",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"" + "x".repeat(1_000_000) + "\"}]}");
        assertEquals(400, large.statusCode());
        assertEquals("/description", json(large).get("field"));
        assertTrue(large.body().length() < 2_000, "the answer stays small");
        HttpResponse<String> tooLarge = server.adminJson("PATCH", "usageplans/metered",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"" + "x".repeat(1_100_000) + "\"}]}");
        assertEquals(413, tooLarge.statusCode());
        assertEquals("application/problem+json", tooLarge.headers().firstValue("Content-Type").orElseThrow());

        assertEquals(before, server.admin("GET", "usageplans/metered").body(), "nothing changed");
        assertEquals(List.of(), audit());
        assertEquals(404, server.adminJson("PATCH", "usageplans/nosuch", op("replace", "/quota/limit", "20")).statusCode());
    }

    @Test
    void methodThrottlesAndStagesChangeWithAwsPaths() throws Exception {
        HttpResponse<String> added = server.adminJson("PATCH", "usageplans/spare", "{\"patchOperations\":["
                + "{\"op\":\"add\",\"path\":\"/apiStages\",\"value\":\"shop:prod\"},"
                + "{\"op\":\"add\",\"path\":\"/apiStages/shop:test/throttle/~1pets~1{petId}/GET/rateLimit\",\"value\":\"2\"},"
                + "{\"op\":\"add\",\"path\":\"/apiStages/shop:test/throttle/~1pets~1{petId}/GET/burstLimit\",\"value\":\"3\"},"
                + "{\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":\"100\"},"
                + "{\"op\":\"replace\",\"path\":\"/quota/period\",\"value\":\"WEEK\"},"
                + "{\"op\":\"replace\",\"path\":\"/quota/offset\",\"value\":\"1\"},"
                + "{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"for later\"}]}");
        assertEquals(200, added.statusCode(), added.body());
        assertEquals("{\"id\":\"spare\",\"name\":\"spare\",\"description\":\"for later\",\"throttle\":{\"rateLimit\":10.0,"
                + "\"burstLimit\":10},\"quota\":{\"limit\":100,\"period\":\"WEEK\",\"offset\":1,\"timeZone\":\"Z\"},\"enabled\":true,"
                + "\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{\"/pets/{petId}/GET\":{\"rateLimit\":2.0,"
                + "\"burstLimit\":3}}},{\"apiId\":\"shop\",\"stage\":\"prod\",\"throttle\":{}}]}", added.body());

        HttpResponse<String> removed = server.adminJson("PATCH", "usageplans/spare", "{\"patchOperations\":["
                + "{\"op\":\"remove\",\"path\":\"/apiStages/shop:test/throttle/~1pets~1{petId}/GET\"},"
                + "{\"op\":\"remove\",\"path\":\"/apiStages\",\"value\":\"shop:prod\"},"
                + "{\"op\":\"remove\",\"path\":\"/quota\"}]}");
        assertEquals(200, removed.statusCode(), removed.body());
        assertEquals("{\"id\":\"spare\",\"name\":\"spare\",\"description\":\"for later\",\"throttle\":{\"rateLimit\":10.0,"
                + "\"burstLimit\":10},\"quota\":null,\"enabled\":true,"
                + "\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{}}]}", removed.body());
    }

    @Test
    void aCreatedPlanTakesKeysAndAPlanInUseIsNotDeleted() throws Exception {
        HttpResponse<String> created = server.adminJson("POST", "usageplans", "{\"name\":\"gold\",\"description\":\"big\","
                + "\"throttle\":{\"rateLimit\":50,\"burstLimit\":7},\"quota\":{\"limit\":1000,\"period\":\"MONTH\",\"offset\":0},"
                + "\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{\"/pets/GET\":{\"rateLimit\":5,\"burstLimit\":4}}}]}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(server.url("/usage-plans/admin/usageplans/gold"), created.headers().firstValue("Location").orElseThrow());
        assertEquals("{\"id\":\"gold\",\"name\":\"gold\",\"description\":\"big\",\"throttle\":{\"rateLimit\":50.0,\"burstLimit\":7},"
                + "\"quota\":{\"limit\":1000,\"period\":\"MONTH\",\"offset\":0,\"timeZone\":\"Z\"},\"enabled\":true,"
                + "\"apiStages\":[{\"apiId\":\"shop\",\"stage\":\"test\",\"throttle\":{\"/pets/GET\":{\"rateLimit\":5.0,"
                + "\"burstLimit\":4}}}]}", created.body());
        assertTrue(server.admin("GET", "usageplans").body().contains("\"id\":\"gold\""));
        assertEquals(List.of("usage-plans: the admin token created plan 'gold': none -> throttle 50/s burst 7, quota 1000 "
                + "per MONTH, stages [test /pets/GET 5/s burst 4]"), audit());

        HttpResponse<String> moved = server.adminJson("PATCH", "apikeys/trial-customer", "{\"usagePlanIds\":[\"gold\"]}");
        assertEquals(200, moved.statusCode(), moved.body());
        HttpResponse<String> call = server.pets(TRIAL_KEY);
        assertEquals(200, call.statusCode());
        assertEquals("\"gold-/pets/GET\";q=4;w=1, \"gold-burst\";q=7;w=1, \"gold-month\";q=1000;w=2592000",
                call.headers().firstValue("RateLimit-Policy").orElseThrow());

        HttpResponse<String> again = server.adminJson("POST", "usageplans", "{\"name\":\"gold\"}");
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("name", json(again).get("field"));

        HttpResponse<String> inUse = server.admin("DELETE", "usageplans/gold");
        assertEquals(409, inUse.statusCode(), inUse.body());
        assertEquals("application/problem+json", inUse.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("plan 'gold' is used by 1 key (trial-customer); move them to another plan or delete them first",
                json(inUse).get("detail"));
        assertEquals(200, server.pets(TRIAL_KEY).statusCode(), "still there");

        HttpResponse<String> deleted = server.admin("DELETE", "usageplans/spare");
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals(404, server.admin("GET", "usageplans/spare").statusCode());
        assertEquals(404, server.admin("DELETE", "usageplans/spare").statusCode());
        assertTrue(!server.admin("GET", "usageplans").body().contains("\"spare\""));
    }

    @Test
    void aBadCreateBodyIs400NamingTheField() throws Exception {
        String[][] cases = {
                {"{\"description\":\"no name\"}", "name"},
                {"{\"name\":\"x\",\"throttle\":{\"rateLimit\":-1,\"burstLimit\":2}}", "throttle.rateLimit"},
                {"{\"name\":\"x\",\"throttle\":{\"rateLimit\":1,\"burstLimit\":0}}", "throttle.burstLimit"},
                {"{\"name\":\"x\",\"quota\":{\"limit\":5,\"period\":\"YEAR\"}}", "quota.period"},
                {"{\"name\":\"x\",\"quota\":{\"limit\":5,\"period\":\"DAY\",\"offset\":2}}", "quota.offset"},
                {"{\"name\":\"x\",\"apiStages\":[{\"apiId\":\"other\",\"stage\":\"test\"}]}", "apiStages[0].apiId"},
                {"{\"name\":\"x\",\"tags\":{}}", "tags"},
                {"{\"name\":\"a/b\"}", "name"},
        };
        for (String[] c : cases) {
            HttpResponse<String> answer = server.adminJson("POST", "usageplans", c[0]);
            assertEquals(400, answer.statusCode(), c[0] + " -> " + answer.body());
            assertEquals(c[1], json(answer).get("field"), c[0] + " -> " + answer.body());
        }
        assertEquals(3, ((List<?>) json(server.admin("GET", "usageplans")).get("items")).size());
    }

    private static String op(String op, String path, String value) {
        return "{\"patchOperations\":[{\"op\":\"" + op + "\",\"path\":\"" + path + "\""
                + (value == null ? "" : ",\"value\":\"" + value + "\"") + "}]}";
    }
}
