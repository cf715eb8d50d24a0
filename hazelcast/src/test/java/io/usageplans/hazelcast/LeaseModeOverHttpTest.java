package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.usageplans.UsagePlans;
import io.usageplans.config.PlanFile;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.JettyApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two application servers (real Jetty, real HTTP), each on a Hazelcast member, each with the store the settings
 * {@code usageplans.store=hazelcast} and {@code usageplans.cluster.mode} make: the tutorial's limits hold across both
 * in either cluster mode, and in lease mode the allowances settle in the background ({@code sync-interval} 20 ms).
 */
class LeaseModeOverHttpTest {

    private static final String BASIC = "demo-basic-key-0123456789";
    private static final String PREMIUM = "demo-premium-key-0123456789";
    private static final String BULK = "bulk-quota-key-0123456789";
    private static final String PLANS = """
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 10, period: DAY }
                apiStages:
                  - stage: test
              - name: premium
                throttle: { rateLimit: 20, burstLimit: 40 }
                quota: { limit: 100, period: DAY }
                apiStages:
                  - stage: test
                    throttle:
                      "/pets/{petId}/GET": { rateLimit: 1, burstLimit: 3 }
              - name: bulk
                throttle: { rateLimit: 100000, burstLimit: 100000 }
                quota: { limit: 1500, period: DAY }
                apiStages:
                  - stage: test
            apiKeys:
              - name: basic-customer
                value: demo-basic-key-0123456789
                plans: [basic]
              - name: premium-customer
                value: demo-premium-key-0123456789
                plans: [premium]
              - name: bulk-customer
                value: bulk-quota-key-0123456789
                plans: [bulk]
            """;

    @ParameterizedTest(name = "usageplans.cluster.mode={0}")
    @ValueSource(strings = {"exact", "lease"})
    void theTutorialLimitsHoldAcrossTwoServersAndABigQuotaIsNeverExceeded(String mode) throws Exception {
        MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
        List<JettyApp> servers = new ArrayList<>();
        List<UsagePlans> engines = new ArrayList<>();
        List<UsageStore> stores = new ArrayList<>();
        try (TestCluster cluster = TestCluster.start(2)) {
            try {
                for (var member : cluster.members) {
                    Map<String, String> settings = Map.of("usageplans.store", "hazelcast",
                            "usageplans.hazelcast.mode", "instance", "usageplans.hazelcast.instance-name", member.getName(),
                            "usageplans.hazelcast.timeout", "5000",
                            "usageplans.cluster.mode", mode, "usageplans.cluster.sync-interval", "20");
                    UsageStore store = new HazelcastStoreProvider().create(settings::get, clock, getClass().getClassLoader());
                    stores.add(store);
                    UsagePlans engine = UsagePlans.builder(PlanFile.parse(PLANS, "plans.yaml")).stage("test").clock(clock)
                            .ownedStore(store).build();
                    engines.add(engine);
                    servers.add(TestServers.start(engine));
                }
                assertEquals(mode.equals("lease"), stores.get(0) instanceof LeasingUsageStore, stores.get(0).kind());

                int basicOk = 0;
                for (int i = 0; i < 14; i++) {
                    HttpResponse<String> response = get(servers.get(i % 2), "/pets", BASIC);
                    if (response.statusCode() == 200) {
                        basicOk++;
                    } else {
                        assertEquals(429, response.statusCode(), "basic request " + (i + 1));
                        assertEquals("{\"message\":\"Limit Exceeded\"}", response.body());
                    }
                }
                assertEquals(10, basicOk, "basic: exactly 10 a day across both servers");

                for (int i = 0; i < 3; i++) {
                    assertEquals(200, get(servers.get(i % 2), "/pets/1", PREMIUM).statusCode(), "premium GET /pets/1 #" + (i + 1));
                }
                HttpResponse<String> fourth = get(servers.get(1), "/pets/1", PREMIUM);
                assertEquals(429, fourth.statusCode(), "the method throttle's burst of 3 is shared");
                assertEquals("{\"message\":\"Too Many Requests\"}", fourth.body());
                int premiumOk = 3;
                for (int i = 0; i < 120; i++) {
                    if (i % 20 == 19) {
                        clock.advance(Duration.ofSeconds(1)); // 20 more plan tokens: the quota bites, not the throttle
                    }
                    int status = get(servers.get(i % 2), "/pets", PREMIUM).statusCode();
                    if (status == 200) {
                        premiumOk++;
                    } else {
                        assertEquals(429, status, "premium request " + i);
                    }
                }
                assertEquals(100, premiumOk, "premium: exactly its quota of 100 across both servers");

                ExecutorService pool = Executors.newFixedThreadPool(8);
                int bulkOk = 0;
                try {
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Integer>> statuses = new ArrayList<>();
                    for (int i = 0; i < 1700; i++) {
                        JettyApp server = servers.get(i % 2);
                        statuses.add(pool.submit(() -> {
                            start.await();
                            return get(server, "/pets", BULK).statusCode();
                        }));
                    }
                    start.countDown();
                    for (Future<Integer> status : statuses) {
                        int code = status.get(120, TimeUnit.SECONDS);
                        assertTrue(code == 200 || code == 429, "no 5xx under load: " + code);
                        bulkOk += code == 200 ? 1 : 0;
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertTrue(bulkOk <= 1500, "never over the quota: " + bulkOk);
                clock.advance(Duration.ofMillis(100));
                for (UsageStore store : stores) {
                    if (store instanceof LeasingUsageStore leasing) {
                        Await.until(() -> leasing.totals().held() == 0, Duration.ofSeconds(10), "an idle server to hold nothing");
                        LeasingUsageStore.AllowanceTotals totals = leasing.totals();
                        assertEquals(totals.granted(), totals.spent() + totals.returned(), "every unit accounted for: " + totals);
                    }
                }
                int drained = 0;
                while (bulkOk + drained < 1600 && get(servers.get(0), "/pets", BULK).statusCode() == 200) {
                    drained++;
                }
                assertEquals(1500, bulkOk + drained, "exactly the quota once the allowances came back (" + bulkOk + " under load)");
            } finally { // before the members stop: a lease-mode store gives its allowances back
                for (JettyApp server : servers) {
                    server.close();
                }
                engines.forEach(UsagePlans::close);
            }
        }
    }

    private static HttpResponse<String> get(JettyApp server, String path, String key) throws Exception {
        return server.get(path).header("x-api-key", key).send();
    }
}
