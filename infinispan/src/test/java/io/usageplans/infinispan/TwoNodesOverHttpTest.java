package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.usageplans.UsagePlans;
import io.usageplans.config.PlanFile;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.ClusterSettings;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.JettyApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two application servers (real Jetty, real HTTP), each on its own Infinispan node: one cluster, one quota. */
class TwoNodesOverHttpTest {

    private static final String KEY = "bulk-quota-key-0123456789";
    private static final String PLANS = """
            plans:
              - name: bulk
                throttle: { rateLimit: 10000, burstLimit: 10000 }
                quota: { limit: 100, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: bulk-customer
                value: %s
                plans: [bulk]
            """.formatted(KEY);

    private final TestGrid grid = TestGrid.shared();

    @ParameterizedTest
    @EnumSource(ClusterSettings.Mode.class)
    void twoHundredConcurrentRequestsAgainstAQuotaOf100OnTwoNodesAdmitExactly100(ClusterSettings.Mode mode) throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        String cache = "http-" + mode;
        List<JettyApp> servers = new ArrayList<>();
        List<UsagePlans> engines = new ArrayList<>();
        try {
            for (int node = 0; node < 2; node++) {
                UsageStore store = LeasingUsageStore.forMode(grid.store(node, cache, 5_000),
                        new ClusterSettings(mode, Duration.ofMillis(100)), clock);
                UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock).store(store).build();
                engines.add(engine);
                servers.add(TestServers.start(engine));
            }
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                responses.add(servers.get(i % 2).get("/pets").header("x-api-key", KEY).sendAsync());
            }
            Map<String, Integer> answers = new TreeMap<>();
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
                answers.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
            }
            assertEquals(Map.of("200 ok", 100, "429 {\"message\":\"Limit Exceeded\"}", 100), answers,
                    "exactly the quota of 100 admitted across both servers, every other request refused with 429");
            long day = java.time.Instant.parse("2027-03-10T00:00:00Z").toEpochMilli();
            assertEquals(100, grid.store(0, cache, 5_000).usage("bulk-customer", "bulk").quotaUsedIn(day),
                    "the cluster counted exactly 100");
        } finally {
            for (JettyApp server : servers) {
                server.close();
            }
            engines.forEach(UsagePlans::close);
        }
    }
}
