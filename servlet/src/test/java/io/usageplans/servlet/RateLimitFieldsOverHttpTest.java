package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** Details of the RateLimit fields and Retry-After: policy names as sf-strings, weekly quotas in a plan's time zone. */
class RateLimitFieldsOverHttpTest {

    static final String KEY = "ratelimit-fields-key-0123456789";

    private static UsagePlans engine(String plans, MutableClock clock) {
        return UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).discoverListeners(false).build();
    }

    @Test
    void quotesAndBackslashesInPolicyNamesAreEscaped() throws Exception {
        String plans = """
                plans:
                  - name: 'gold "vip" \\ tier'
                    throttle: { rateLimit: 1, burstLimit: 2 }
                    quota: { limit: 5, period: DAY }
                    apiStages:
                      - stage: test
                        throttle:
                          "/reports/GET": { rateLimit: 1, burstLimit: 1, bucket: 'a"b\\c' }
                apiKeys:
                  - name: tester
                    value: ratelimit-fields-key-0123456789
                    plans: ['gold "vip" \\ tier']
                """;
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        try (UsagePlans engine = engine(plans, clock); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> pets = server.get("/pets", KEY);
            assertEquals(200, pets.statusCode());
            assertEquals("\"gold \\\"vip\\\" \\\\ tier-burst\";q=2;w=2, \"gold \\\"vip\\\" \\\\ tier-day\";q=5;w=86400",
                    header(pets, "RateLimit-Policy"));
            assertEquals("\"gold \\\"vip\\\" \\\\ tier-burst\";r=1;t=1, \"gold \\\"vip\\\" \\\\ tier-day\";r=4;t=43200",
                    header(pets, "RateLimit"));

            HttpResponse<String> reports = server.get("/reports", KEY);
            assertEquals(200, reports.statusCode());
            assertEquals("\"gold \\\"vip\\\" \\\\ tier-a\\\"b\\\\c\";q=1;w=1, \"gold \\\"vip\\\" \\\\ tier-burst\";q=2;w=2, "
                    + "\"gold \\\"vip\\\" \\\\ tier-day\";q=5;w=86400", header(reports, "RateLimit-Policy"));
        }
    }

    @Test
    void aWeeklyQuotaInNewYorkStartsAtSundayMidnightThereAcrossTheSwitchToSummerTime() throws Exception {
        String plans = """
                plans:
                  - name: weekly
                    quota: { limit: 1, period: WEEK, timeZone: America/New_York }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - name: tester
                    value: ratelimit-fields-key-0123456789
                    plans: [weekly]
                """;
        // Saturday 13 March 2027, 23:59:59 in New York (EST, UTC-5): in UTC it is already Sunday, a new week there
        MutableClock clock = MutableClock.at("2027-03-14T04:59:59Z");
        try (UsagePlans engine = engine(plans, clock); TestServer server = TestServer.withEngine(engine)) {
            HttpResponse<String> first = server.get("/pets", KEY);
            assertEquals(200, first.statusCode());
            assertEquals("\"weekly-week\";q=1;w=604800", header(first, "RateLimit-Policy"));
            HttpResponse<String> second = server.get("/pets", KEY);
            assertEquals(429, second.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", second.body());
            assertEquals("1", header(second, "Retry-After"), "the week ends at Sunday 00:00 in New York, in one second");

            clock.advance(Duration.ofSeconds(1));
            HttpResponse<String> sunday = server.get("/pets", KEY);
            assertEquals(200, sunday.statusCode(), "a new week in New York");
            // the clocks go forward at 2:00 that Sunday, so this week is one hour short: 7 × 86,400 − 3,600 seconds
            assertEquals("\"weekly-week\";q=1;w=601200", header(sunday, "RateLimit-Policy"));
            assertEquals("\"weekly-week\";r=0;t=601200", header(sunday, "RateLimit"));
            HttpResponse<String> again = server.get("/pets", KEY);
            assertEquals(429, again.statusCode());
            assertEquals("601200", header(again, "Retry-After"));
        }
    }
}
