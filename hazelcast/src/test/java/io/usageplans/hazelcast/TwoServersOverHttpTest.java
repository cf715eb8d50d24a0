package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

/** Two application servers (real Jetty, real HTTP), each with an embedded member: one cluster, one set of limits. */
class TwoServersOverHttpTest {

    private static final String PLANS = """
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 10, period: DAY, countStatuses: 2xx }
                apiStages:
                  - stage: test
                    throttle:
                      "/reports/GET": { cost: 5 }
                      "/a/GET": { rateLimit: 1, burstLimit: 2, bucket: shared }
                      "/b/GET": { rateLimit: 1, burstLimit: 2, bucket: shared }
            apiKeys:
              - name: basic-customer
                value: demo-basic-key-0123456789
                plans: [basic]
            """;
    /** Fails with 500 when asked to. */
    public static class App extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus("true".equals(request.getParameter("fail")) ? 500 : 200);
            response.getWriter().write("ok");
        }
    }

    @Test
    void quotaWeightsSharedBucketsAndCountOnly2xxHoldAcrossTwoServers() throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        List<JettyApp> servers = new ArrayList<>();
        List<UsagePlans> engines = new ArrayList<>();
        try (TestCluster cluster = TestCluster.start(2)) {
            for (var member : cluster.members) {
                UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build();
                engines.add(engine);
                servers.add(TestServers.start(engine, App.class));
            }
            // 3 failures (500) give their quota back; 10 successes use it up, alternating servers
            int ok = 0;
            for (int i = 0; i < 13; i++) {
                boolean fail = i < 3;
                HttpResponse<String> r = get(servers.get(i % 2), "/x" + (fail ? "?fail=true" : ""));
                assertEquals(fail ? 500 : 200, r.statusCode(), "request " + i);
                if (!fail) {
                    ok++;
                }
            }
            assertEquals(10, ok);
            HttpResponse<String> over = get(servers.get(1), "/x");
            assertEquals(429, over.statusCode());
            assertEquals("{\"message\":\"Limit Exceeded\"}", over.body());

            clock.advance(Duration.ofDays(1));
            assertEquals(200, get(servers.get(0), "/reports").statusCode(), "cost 5");
            assertEquals(200, get(servers.get(1), "/reports").statusCode(), "cost 5: the day's 10 are used");
            assertEquals(429, get(servers.get(0), "/reports").statusCode());

            clock.advance(Duration.ofDays(1));
            assertEquals(200, get(servers.get(0), "/a").statusCode());
            assertEquals(200, get(servers.get(1), "/b").statusCode());
            assertEquals(429, get(servers.get(1), "/a").statusCode(), "/a and /b share one bucket of 2, on both servers");
        } finally {
            for (JettyApp server : servers) {
                server.close();
            }
            engines.forEach(UsagePlans::close);
        }
    }

    private static HttpResponse<String> get(JettyApp server, String path) throws Exception {
        return server.get(path).header("x-api-key", "demo-basic-key-0123456789").send();
    }
}
