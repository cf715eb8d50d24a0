package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.usageplans.Plan;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.config.PlanFile;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import org.junit.jupiter.api.Test;

/**
 * A plan changed on one application server (real Jetty, real HTTP, an embedded Hazelcast member each) is enforced by
 * the other within 1 s: the next request there names the new burst in its {@code RateLimit-Policy}.
 */
class PlanChangeOverHttpTest {

    private static final String KEY = "demo-basic-key-0123456789";
    private static final String PLANS = """
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 5 }
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
            apiKeys:
              - name: basic-customer
                value: demo-basic-key-0123456789
                plans: [basic]
            """;

    @Test
    void aBurstChangedOnServerAIsInTheRateLimitPolicyOfTheNextRequestOnServerBWithinOneSecond() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        List<JettyApp> servers = new ArrayList<>();
        List<UsagePlans> engines = new ArrayList<>();
        try (TestCluster cluster = TestCluster.start(2)) {
            for (var member : cluster.members) {
                UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "usage-plans.yaml")).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build();
                engines.add(engine);
                servers.add(TestServers.start(engine));
            }
            HttpResponse<String> before = get(servers.get(1));
            assertEquals(200, before.statusCode());
            assertEquals("\"basic-burst\";q=5;w=1", policyOfPlanBurst(before));

            long start = System.nanoTime();
            engines.get(0).planDirectory().update("basic", plan -> Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(50))
                    .quota(plan.quota()).stage("test").build());
            long deadline = start + TimeUnit.SECONDS.toNanos(1);
            HttpResponse<String> after = get(servers.get(1));
            int requests = 1;
            while (!policyOfPlanBurst(after).equals("\"basic-burst\";q=50;w=5") && System.nanoTime() < deadline) {
                Thread.sleep(5);
                clock.advance(Duration.ofSeconds(1)); // tokens back, so that polling never runs the bucket dry
                after = get(servers.get(1));
                requests++;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("PlanChangeOverHttpTest: server B answered with the new burst " + millis + " ms after the change "
                    + "began on server A (request " + requests + " after it)");
            assertEquals("\"basic-burst\";q=50;w=5", policyOfPlanBurst(after), "within 1 s, on server B");
            assertEquals(200, after.statusCode());
            assertEquals("\"basic-burst\";q=50;w=5", policyOfPlanBurst(get(servers.get(0))), "and on server A");
        } finally {
            for (JettyApp server : servers) {
                server.close();
            }
            engines.forEach(UsagePlans::close);
        }
    }

    private static HttpResponse<String> get(JettyApp server) throws Exception {
        return server.get("/pets").header("x-api-key", KEY).send();
    }

    /** The plan's burst policy of the {@code RateLimit-Policy} field. */
    private static String policyOfPlanBurst(HttpResponse<String> response) {
        return response.headers().firstValue("RateLimit-Policy").orElse("").split(", ")[0];
    }
}
