package io.usageplans.admin;

import static io.usageplans.admin.AdminServer.BASIC_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
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
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's live plan change over the admin API on a two-member Hazelcast cluster, each member an application with the
 * admin API over real HTTP: a PATCH on one server takes effect there on the next request and on the other within 1 s.
 */
class PlanChangeAcrossMembersOverHttpTest {

    private static final String BURST_50 =
            "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/throttle/burstLimit\",\"value\":\"50\"}]}";

    private final MutableClock clock = MutableClock.at("2026-11-29T10:00:00Z");
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<HazelcastInstance> members = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        members.forEach(HazelcastInstance::shutdown);
    }

    @Test
    void aBurstRaisedOverTheAdminApiTakesEffectOnTheNextRequestAndOnTheOtherMemberWithinOneSecond() throws Exception {
        String cluster = "usage-plans-plan-change-" + UUID.randomUUID();
        int[] ports = {FreePorts.loopback(), FreePorts.loopback()};
        AdminServer first = server(cluster, ports, 0);
        AdminServer second = server(cluster, ports, 1);
        // basic: burst 2 at 1 per second, quota 5 a day
        assertEquals(List.of(200, 200, 429), statuses(first, 3));
        assertEquals("\"basic-burst\";q=2;w=2, \"basic-day\";q=5;w=86400",
                second.pets(BASIC_KEY).headers().firstValue("RateLimit-Policy").orElseThrow());

        HttpResponse<String> changed = first.adminJson("PATCH", "usageplans/basic", BURST_50);

        assertEquals(200, changed.statusCode(), changed.body());
        HttpResponse<String> next = first.pets(BASIC_KEY);
        assertEquals(200, next.statusCode(), "the raised burst adds 48 tokens at once");
        assertEquals("\"basic-burst\";q=50;w=50, \"basic-day\";q=5;w=86400",
                next.headers().firstValue("RateLimit-Policy").orElseThrow());
        long changedAt = System.nanoTime();
        Await.until(() -> policy(second).startsWith("\"basic-burst\";q=50;"), Duration.ofSeconds(1),
                "the second member to apply the change");
        System.out.printf("plan change seen on the second member after %d ms%n", (System.nanoTime() - changedAt) / 1_000_000);
    }

    private AdminServer server(String cluster, int[] ports, int index) throws Exception {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(memberConfig(cluster, ports, index));
        members.add(member);
        UsagePlans engine = UsagePlans.builder(AdminServer.catalog()).stage("test").clock(clock)
                .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).build()).build();
        opened.add(engine);
        AdminServer server = AdminServer.start(engine, AdminServer.adminOn());
        opened.add(server);
        return server;
    }

    private static String policy(AdminServer server) {
        try {
            return server.pets(BASIC_KEY).headers().firstValue("RateLimit-Policy").orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> statuses(AdminServer server, int count) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            statuses.add(server.pets(BASIC_KEY).statusCode());
        }
        return statuses;
    }

    private static Config memberConfig(String cluster, int[] ports, int index) {
        Config config = new Config();
        config.setClusterName(cluster);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.getNetworkConfig().setPort(ports[index]).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        for (int port : ports) {
            join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        }
        return HazelcastUsageStore.configure(config);
    }
}
