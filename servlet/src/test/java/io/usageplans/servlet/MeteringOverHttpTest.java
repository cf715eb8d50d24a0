package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usageplans.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.testsupport.Http;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** Throttle, quota and response rules over real HTTP, with catalogs built in code and a clock the test moves. */
class MeteringOverHttpTest {

    static final String KEY = "a-test-key-0123456789abcdef";

    private static Catalog oneKeyOn(Plan plan) {
        return Catalog.builder().api("TestAPI").plan(plan)
                .apiKey(ApiKey.builder("tester").value(KEY).plans(plan.name()).build()).build();
    }

    private static UsagePlans engine(Plan plan, MutableClock clock) {
        return UsagePlans.builder(oneKeyOn(plan)).stage("test").clock(clock).build();
    }

    @Test
    void whenQuotaAndBucketAreBothEmptyTheAnswerIsLimitExceededUntilThePeriodEnds() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T18:00:00Z");
        Plan plan = Plan.builder("tight").throttle(Throttle.rateLimit(1).burstLimit(5)).quota(Quota.limit(5).period(QuotaPeriod.DAY)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, server.get("/x", KEY).statusCode());
            }
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(429, r.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
            assertEquals("21600", header(r, "Retry-After"), "six hours to midnight, not the one second to a token");
            assertEquals("\"tight-burst\";r=0;t=5, \"tight-day\";r=0;t=21600", header(r, "RateLimit"));
        }
    }

    @Test
    void aRefusedRequestWithAnUnreadBodyEndsItsConnectionAndTheNextRequestStillSucceeds() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T18:00:00Z");
        Plan plan = Plan.builder("roomy").throttle(Throttle.rateLimit(10).burstLimit(20)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> refused = server.send("POST", "/x", null);
                assertEquals(403, refused.statusCode());
                assertEquals("close", header(refused, "Connection"), "the server does not read the body it refuses");
                assertEquals(200, server.get("/x", KEY).statusCode(), "the next request, on a new connection");
                assertEquals(403, server.get("/x", null).statusCode());
            }
            assertTrue(server.get("/y", null).headers().firstValue("Connection").isEmpty(), "a refused GET keeps its connection");
        }
    }

    @Test
    void retryAfterIsRoundedUpToWholeSeconds() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Plan slow = Plan.builder("slow").throttle(Throttle.rateLimit(0.4).burstLimit(1)).stage("test").build(); // one token every 2.5 s
        try (UsagePlans engine = engine(slow, clock); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/x", KEY).statusCode());
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(429, r.statusCode());
            assertEquals("3", header(r, "Retry-After"));
            assertEquals("\"slow-burst\";q=1;w=3", header(r, "RateLimit-Policy"));
            clock.advance(Duration.ofMillis(2499));
            HttpResponse<String> almost = server.get("/x", KEY);
            assertEquals(429, almost.statusCode());
            assertEquals("1", header(almost, "Retry-After"), "1 ms left still says 1, never 0");
            clock.advance(Duration.ofMillis(1));
            assertEquals(200, server.get("/x", KEY).statusCode());
        }
    }

    @Test
    void dailyQuotaResetsAtMidnightOfThePlansTimeZone() throws Exception {
        MutableClock clock = MutableClock.at("2027-01-15T04:00:00Z"); // 23:00 in New York
        Plan plan = Plan.builder("ny").quota(new Quota(2, QuotaPeriod.DAY, 0, ZoneId.of("America/New_York")))
                .stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/x", KEY).statusCode());
            assertEquals(200, server.get("/x", KEY).statusCode());
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(429, r.statusCode());
            assertEquals("3600", header(r, "Retry-After"), "midnight in New York is 05:00Z");
            clock.set(Instant.parse("2027-01-15T04:59:59Z"));
            assertEquals(429, server.get("/x", KEY).statusCode());
            clock.set(Instant.parse("2027-01-15T05:00:00Z"));
            assertEquals(200, server.get("/x", KEY).statusCode());
        }
    }

    @Test
    void weeklyQuotaWithOffsetResetsOnThatWeekday() throws Exception {
        // offset 3: weeks start on Wednesday 00:00 UTC; 2027-03-10 is a Wednesday
        MutableClock clock = MutableClock.at("2027-03-09T10:00:00Z");
        Plan plan = Plan.builder("weekly").quota(Quota.limit(1).period(QuotaPeriod.WEEK).withOffset(3)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/x", KEY).statusCode());
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(429, r.statusCode());
            assertEquals("50400", header(r, "Retry-After"), "14 hours to Wednesday 00:00");
            assertEquals("\"weekly-week\";q=1;w=604800", header(r, "RateLimit-Policy"));
            clock.set(Instant.parse("2027-03-10T00:00:00Z"));
            assertEquals(200, server.get("/x", KEY).statusCode());
            assertEquals(429, server.get("/x", KEY).statusCode());
        }
    }

    @Test
    void monthlyQuotaFollowsRealMonthsOf31And28Days() throws Exception {
        MutableClock clock = MutableClock.at("2027-01-01T00:00:00Z");
        Plan plan = Plan.builder("monthly").quota(Quota.limit(1).period(QuotaPeriod.MONTH)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> january = server.get("/x", KEY);
            assertEquals(200, january.statusCode());
            assertEquals("\"monthly-month\";q=1;w=" + 31 * 86400, header(january, "RateLimit-Policy"));
            clock.set(Instant.parse("2027-01-31T23:59:59Z"));
            assertEquals(429, server.get("/x", KEY).statusCode(), "still January");
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            HttpResponse<String> february = server.get("/x", KEY);
            assertEquals(200, february.statusCode());
            assertEquals("\"monthly-month\";q=1;w=" + 28 * 86400, header(february, "RateLimit-Policy"));
            clock.set(Instant.parse("2027-02-28T23:59:59Z"));
            HttpResponse<String> endOfFebruary = server.get("/x", KEY);
            assertEquals(429, endOfFebruary.statusCode());
            assertEquals("1", header(endOfFebruary, "Retry-After"));
            clock.set(Instant.parse("2027-03-01T00:00:00Z"));
            assertEquals(200, server.get("/x", KEY).statusCode());
        }
    }

    @Test
    void monthlyQuotaWithOffsetStartsOnThatDayOfTheMonth() throws Exception {
        // offset 14: months run from the 15th to the next 15th
        MutableClock clock = MutableClock.at("2027-02-14T12:00:00Z");
        Plan plan = Plan.builder("mid").quota(Quota.limit(1).period(QuotaPeriod.MONTH).withOffset(14)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> r = server.get("/x", KEY);
            assertEquals(200, r.statusCode());
            assertEquals("\"mid-month\";q=1;w=" + 31 * 86400, header(r, "RateLimit-Policy"), "Jan 15 to Feb 15");
            assertEquals(429, server.get("/x", KEY).statusCode());
            clock.set(Instant.parse("2027-02-15T00:00:00Z"));
            HttpResponse<String> next = server.get("/x", KEY);
            assertEquals(200, next.statusCode());
            assertEquals("\"mid-month\";q=1;w=" + 28 * 86400, header(next, "RateLimit-Policy"), "Feb 15 to Mar 15");
        }
    }

    @Test
    void twoHundredConcurrentRequestsAgainstAQuotaOfOneHundredLetExactlyOneHundredThrough() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Plan plan = Plan.builder("hundred").throttle(Throttle.rateLimit(1000).burstLimit(1000)).quota(Quota.limit(100).period(QuotaPeriod.DAY)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(Http.CLIENT.sendAsync(server.request("GET", "/x", KEY), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int limited = 0;
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> r = call.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else if (r.statusCode() == 429 && r.body().equals("{\"message\":\"Limit Exceeded\"}")) {
                    limited++;
                }
            }
            assertEquals(100, ok);
            assertEquals(100, limited);
        }
    }

    @Test
    void aRequestSeenByTwoFiltersIsCountedOnce() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Plan plan = Plan.builder("ten").quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock);
             TestServer server = TestServer.start(context -> {
                 context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
                 context.addFilter(new FilterHolder(new UsagePlanFilter(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
             })) {
            for (int i = 1; i <= 10; i++) {
                HttpResponse<String> r = server.get("/x", KEY);
                assertEquals(200, r.statusCode(), "request " + i);
                assertEquals("\"ten-day\";r=" + (10 - i) + ";t=43200", header(r, "RateLimit"));
            }
            assertEquals(429, server.get("/x", KEY).statusCode());
        }
    }

    @Test
    void malformedKeysGetForbiddenNeverAServerError() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Plan plan = Plan.builder("p").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(403, server.get("/x", "k".repeat(129)).statusCode(), "over-long");
            assertEquals(403, server.get("/x", "k".repeat(5000)).statusCode(), "very long");
            assertEquals(403, server.get("/x", "short").statusCode(), "too short");
            // Jetty's own parser answers 400 to control characters in a header before any filter runs
            String[][] cases = {
                    {"", "403"},
                    {"key\twith-a-tab-inside-0123456789", "403"},
                    {"key-with-latin1-\u00e9\u00e8-0123456789", "403"},
                    {"key with spaces 0123456789", "403"},
                    {"key\u0001with-a-control-char-0123", "400"},
            };
            for (String[] c : cases) {
                String response = server.raw(("GET /test/x HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + c[0]
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String statusLine = response.substring(0, response.indexOf("\r\n"));
                assertTrue(statusLine.startsWith("HTTP/1.1 " + c[1]), c[0].length() + "-char key: " + statusLine);
                assertFalse(response.contains("Exception"), response);
                if (c[1].equals("403")) {
                    assertTrue(response.endsWith("{\"message\":\"Forbidden\"}"), response);
                }
            }
            assertEquals(200, server.get("/x", KEY).statusCode(), "the good key still works");
        }
    }

    @Test
    void aKeyWhosePlansDoNotCoverThisStageIsForbidden() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Catalog catalog = Catalog.builder()
                .plan(Plan.builder("test-plan").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").build())
                .plan(Plan.builder("prod-plan").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("prod").build())
                .apiKey(ApiKey.builder("prod-only").value("prod-only-key-0123456789").plans("prod-plan").build())
                .apiKey(ApiKey.builder("both").value("both-stages-key-0123456789").plans("test-plan", "prod-plan").build())
                .build();
        try (UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock).build();
             TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> r = server.get("/x", "prod-only-key-0123456789");
            assertEquals(403, r.statusCode());
            assertEquals("{\"message\":\"Forbidden\"}", r.body());
            HttpResponse<String> both = server.get("/x", "both-stages-key-0123456789");
            assertEquals(200, both.statusCode());
            assertEquals("\"test-plan-burst\";q=10;w=1", header(both, "RateLimit-Policy"), "metered under its test plan");
        }
    }

    @Test
    void methodThrottlesMatchTheMostSpecificPathTemplate() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        Plan plan = Plan.builder("p").throttle(Throttle.rateLimit(100).burstLimit(100))
                .stage(ApiStage.of("test")
                        .withMethodThrottle("/pets/{petId}/GET", Throttle.rateLimit(1).burstLimit(2))
                        .withMethodThrottle("/pets/mine/GET", Throttle.rateLimit(1).burstLimit(1))
                        .withMethodThrottle("/files/{path+}/*", Throttle.rateLimit(1).burstLimit(1)))
                .build();
        try (UsagePlans engine = engine(plan, clock); TestServer server = TestServer.withEngine(engine)) {
            assertEquals(200, server.get("/pets/mine", KEY).statusCode());
            HttpResponse<String> second = server.get("/pets/mine/", KEY);
            assertEquals(429, second.statusCode(), "/pets/mine has a burst of 1; a trailing slash is the same path");
            assertTrue(header(second, "RateLimit").startsWith("\"p-/pets/mine/GET\";r=0;t=1"));
            assertEquals(200, server.get("/pets/7", KEY).statusCode());
            assertEquals(200, server.get("/pets/8", KEY).statusCode());
            assertEquals(429, server.get("/pets/9", KEY).statusCode(), "all pets share one per-key method bucket");
            assertEquals(200, server.get("/pets/7/toys", KEY).statusCode(), "not /pets/{petId}: only the plan throttle");
            assertEquals(200, server.send("DELETE", "/files/a/b/c", KEY).statusCode());
            assertEquals(429, server.send("POST", "/files/d", KEY).statusCode(), "{path+} and * match any depth and method");
        }
    }
}
