package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.BASIC_KEY;
import static io.usageplans.admin.AdminServer.DEV_KEY;
import static io.usageplans.admin.AdminServer.PREMIUM_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.UsagePlans;
import io.usageplans.hazelcast.HazelcastUsageStore;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AWS GetUsage over HTTP after a known sequence of metered requests across midnight UTC, moved with the injected
 * clock: throttled and quota-refused requests are not used, each day has its own used and remaining. On the local
 * store and on a Hazelcast member.
 */
class UsageReportOverHttpTest {

    private final MutableClock clock = MutableClock.at("2026-11-24T23:59:00Z");
    private HazelcastInstance member;
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
        if (member != null) {
            member.shutdown();
        }
    }

    private void start(String store) throws Exception {
        UsagePlans.Builder builder = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(clock);
        if (store.equals("hazelcast")) {
            member = Hazelcast.newHazelcastInstance(memberConfig());
            builder.store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build());
        }
        engine = builder.build();
        server = AdminServer.start(engine, AdminServer.adminOn());
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"local", "hazelcast"})
    void throttledRequestsAreNotCountedAsUsedAndEachDayHasItsOwnNumbers(String store) throws Exception {
        start(store);
        // the 24th, a minute before midnight: a burst of 2, so the third is throttled; a second later one more
        assertEquals(List.of(200, 200, 429), statuses(BASIC_KEY, 3));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(200), statuses(BASIC_KEY, 1));
        assertEquals(200, server.pets(PREMIUM_KEY).statusCode());
        // the 25th: 2 allowed, 1 throttled, then one every 2 seconds until the quota of 5 is used, and one refused by it
        clock.set(Instant.parse("2026-11-25T00:00:30Z"));
        List<Integer> nextDay = statuses(BASIC_KEY, 3);
        List<String> refusals = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(2));
            HttpResponse<String> response = server.pets(BASIC_KEY);
            nextDay.add(response.statusCode());
            refusals.add(response.body());
        }
        assertEquals(List.of(200, 200, 429, 200, 200, 200, 429), nextDay);
        assertEquals("{\"message\":\"Limit Exceeded\"}", refusals.get(3), "the last one is over the quota");
        assertEquals(200, server.pets(DEV_KEY).statusCode());

        HttpResponse<String> report = server.admin("GET", "usageplans/basic/usage?startDate=2026-11-23&endDate=2026-11-25");

        assertEquals(200, report.statusCode(), report.body());
        assertEquals("application/json", report.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-store", report.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("{\"usagePlanId\":\"basic\",\"startDate\":\"2026-11-23\",\"endDate\":\"2026-11-25\","
                + "\"items\":{\"basic-customer\":[[0,5],[3,2],[5,0]]}}", report.body());

        assertEquals("{\"usagePlanId\":\"premium\",\"startDate\":\"2026-11-24\",\"endDate\":\"2026-11-25\","
                        + "\"items\":{\"premium-customer\":[[1,99],[0,100]]}}",
                server.admin("GET", "usageplans/premium/usage?startDate=2026-11-24&endDate=2026-11-25&keyId=premium-customer").body());
        assertEquals("{\"usagePlanId\":\"dev\",\"startDate\":\"2026-11-25\",\"endDate\":\"2026-11-25\","
                        + "\"items\":{\"dev-team\":[[1,null]]}}",
                server.admin("GET", "usageplans/dev/usage?startDate=2026-11-25&endDate=2026-11-25").body(),
                "a plan without a quota has no remaining");

        HttpResponse<String> quota = server.admin("GET", "usageplans/basic/keys/basic-customer/usage");
        assertEquals("{\"usagePlanId\":\"basic\",\"keyId\":\"basic-customer\",\"limit\":5,\"used\":5,\"remaining\":0,"
                + "\"period\":\"DAY\",\"periodStart\":\"2026-11-25T00:00:00Z\",\"periodEnd\":\"2026-11-26T00:00:00Z\"}", quota.body());

        assertEquals("{\"plans\":{\"basic\":{\"allowed\":8,\"throttled\":2,\"quotaExceeded\":1,\"forbidden\":0,\"unavailable\":0},"
                        + "\"premium\":{\"allowed\":1,\"throttled\":0,\"quotaExceeded\":0,\"forbidden\":0,\"unavailable\":0},"
                        + "\"dev\":{\"allowed\":1,\"throttled\":0,\"quotaExceeded\":0,\"forbidden\":0,\"unavailable\":0}},"
                        + "\"keys\":{\"basic-customer\":{\"throttled\":2,\"quotaExceeded\":1,\"forbidden\":0,\"unavailable\":0}},"
                        + "\"keysRefused\":1,\"forbidden\":{\"missingKey\":0,\"malformedKey\":0,\"unknownKey\":0,\"disabledKey\":0,"
                        + "\"noPlanOnStage\":0,\"planNotAllowed\":0,\"severalKeys\":0}}",
                server.admin("GET", "stats").body());
    }

    @org.junit.jupiter.api.Test
    void statsListOnlyTheKeysRefusedMostUpToTheLimitAndCountTheRest() throws Exception {
        start("local");
        assertEquals(List.of(200, 200, 429, 429, 429), statuses(BASIC_KEY, 5));
        assertEquals(200, server.adminJson("PATCH", "apikeys/dev-team",
                "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/enabled\",\"value\":\"false\"}]}").statusCode());
        assertEquals(403, server.pets(DEV_KEY).statusCode());

        String all = server.admin("GET", "stats").body();
        assertTrue(all.contains("\"keys\":{\"basic-customer\":{\"throttled\":3,\"quotaExceeded\":0,\"forbidden\":0,"
                + "\"unavailable\":0},\"dev-team\":{\"throttled\":0,\"quotaExceeded\":0,\"forbidden\":1,\"unavailable\":0}},"
                + "\"keysRefused\":2"), all);
        String top = server.admin("GET", "stats?limit=1").body();
        assertTrue(top.contains("\"keys\":{\"basic-customer\":{\"throttled\":3,\"quotaExceeded\":0,\"forbidden\":0,"
                + "\"unavailable\":0}},\"keysRefused\":2"), top);
        for (String bad : List.of("0", "1001", "ten", "-1")) {
            HttpResponse<String> refused = server.admin("GET", "stats?limit=" + bad);
            assertEquals(400, refused.statusCode(), bad);
            assertTrue(refused.body().contains("limit"), refused.body());
        }
    }

    private List<Integer> statuses(String key, int count) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            statuses.add(server.pets(key).statusCode());
        }
        return statuses;
    }

    /** One member on loopback: multicast off, TCP-IP join on 127.0.0.1, its own cluster name, a free port. */
    private static Config memberConfig() {
        int port = FreePorts.loopback();
        Config config = new Config();
        config.setClusterName("usage-plans-admin-test-" + UUID.randomUUID());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        return HazelcastUsageStore.configure(config);
    }
}
