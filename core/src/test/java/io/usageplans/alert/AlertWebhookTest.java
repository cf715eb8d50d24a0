package io.usageplans.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.PlanFile;
import io.usageplans.config.Settings;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The alert webhook against a real HTTP server on loopback: the exact JSON arrives, a failing delivery is retried, and a
 * webhook that never answers or refuses connections does not hold up a single request.
 */
class AlertWebhookTest {

    static final String PLANS = """
            plans:
              - name: basic
                quota: { limit: 1, period: DAY }
                apiStages: [ { stage: test } ]
                alerts: { quota: [100] }
            apiKeys:
              - { name: alice, value: webhook-alice-key-0123456789, plans: [basic] }
            """;

    final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    final BlockingQueue<String> contentTypes = new LinkedBlockingQueue<>();
    final BlockingQueue<String> idempotencyKeys = new LinkedBlockingQueue<>();
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A loopback server on a free port; {@code statuses} answers the posts in turn, then 204. */
    private URI serve(CountDownLatch release, int... statuses) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger posts = new AtomicInteger();
        server.createContext("/hooks/usage", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
            try {
                release.await(60, TimeUnit.SECONDS); // a blocked webhook answers only when released
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int n = posts.getAndIncrement();
            exchange.sendResponseHeaders(n < statuses.length ? statuses[n] : 204, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/usage");
    }

    private UsagePlans engine(String plans, AlertWebhook webhook) {
        return UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).discoverListeners(false)
                .listener(webhook).build();
    }

    @Test
    void theWebhookReceivesTheAlertAsJsonWithTheKeyNameNeverItsValue() throws Exception {
        URI url = serve(new CountDownLatch(0));
        Map<String, String> settings = Map.of("usageplans.alerts.webhook", url.toString());
        try (UsagePlans engine = EngineBootstrap.of(Settings.of(settings::get, null), getClass().getClassLoader())
                .catalog(PlanFile.parse(PLANS, "plans.yaml")).clock(clock).contextPath("/test").build()) {
            assertEquals(Outcome.ALLOWED, engine.decide("webhook-alice-key-0123456789", "GET", "/pets").outcome());
            assertEquals(Outcome.QUOTA_EXCEEDED, engine.decide("webhook-alice-key-0123456789", "GET", "/pets").outcome());
            String body = bodies.poll(10, TimeUnit.SECONDS);
            assertEquals("{\"alert\":\"QUOTA\",\"plan\":\"basic\",\"key\":\"alice\",\"stage\":\"test\",\"threshold\":100,"
                    + "\"periodStart\":\"2026-11-25T00:00:00Z\",\"used\":1,\"limit\":1,\"time\":\"2026-11-25T10:00:00Z\"}", body);
            assertEquals("application/json", contentTypes.poll(10, TimeUnit.SECONDS));
        }
        assertEquals(null, bodies.poll(), "one alert, one post");
    }

    @Test
    void aFailedDeliveryIsRetriedWithBackoffUntilTheWebhookAnswers2xx() throws Exception {
        URI url = serve(new CountDownLatch(0), 503, 500);
        AlertWebhook webhook = new AlertWebhook(url, 10);
        try (UsagePlans engine = engine(PLANS, webhook)) {
            engine.decide("webhook-alice-key-0123456789", "GET", "/pets");
            for (int attempt = 1; attempt <= 3; attempt++) {
                assertTrue(bodies.poll(10, TimeUnit.SECONDS).contains("\"key\":\"alice\""), "attempt " + attempt);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (webhook.delivered() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // bounded polling
            }
            assertEquals(1, webhook.delivered());
            assertEquals(0, webhook.dropped());
        }
        List<String> keys = List.of(idempotencyKeys.poll(), idempotencyKeys.poll(), idempotencyKeys.poll());
        assertEquals(1, keys.stream().distinct().count(), "every attempt of one alert carries one Idempotency-Key: " + keys);
        assertTrue(keys.get(0).matches("[0-9a-f]{32}"), keys.get(0));
        assertEquals(null, bodies.poll(), "delivered on the third attempt, not tried again");
    }

    @Test
    void eachAlertHasItsOwnIdempotencyKeyAndTheSameAlertAlwaysTheSame() {
        java.time.Instant day = java.time.Instant.parse("2026-11-25T00:00:00Z");
        io.usageplans.UsageAlert at80 = new io.usageplans.UsageAlert(io.usageplans.UsageAlert.Kind.QUOTA, "basic", "alice",
                "test", 80, day, 8, 10, day.plusSeconds(60));
        io.usageplans.UsageAlert at80Later = new io.usageplans.UsageAlert(io.usageplans.UsageAlert.Kind.QUOTA, "basic",
                "alice", "test", 80, day, 9, 10, day.plusSeconds(120));
        io.usageplans.UsageAlert at100 = new io.usageplans.UsageAlert(io.usageplans.UsageAlert.Kind.QUOTA, "basic", "alice",
                "test", 100, day, 10, 10, day.plusSeconds(60));
        io.usageplans.UsageAlert nextDay = new io.usageplans.UsageAlert(io.usageplans.UsageAlert.Kind.QUOTA, "basic", "alice",
                "test", 80, day.plusSeconds(86_400), 8, 10, day.plusSeconds(86_460));
        io.usageplans.UsageAlert bob = new io.usageplans.UsageAlert(io.usageplans.UsageAlert.Kind.QUOTA, "basic", "bob",
                "test", 80, day, 8, 10, day.plusSeconds(60));
        assertEquals(at80.id(), at80Later.id(), "one key, threshold and period: one alert, whoever raised it when");
        assertEquals(4, java.util.Set.of(at80.id(), at100.id(), nextDay.id(), bob.id()).size());
    }

    @Test
    void aWebhookThatNeverAnswersDoesNotHoldUpRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        URI url = serve(release);
        StringBuilder plans = new StringBuilder(PLANS);
        for (int i = 0; i < 200; i++) {
            plans.append("  - { name: k").append(i).append(", value: webhook-key-").append(1_000_000 + i)
                    .append("-abcdefghij, plans: [basic] }\n");
        }
        AlertWebhook webhook = new AlertWebhook(url, 10);
        try (UsagePlans engine = engine(plans.toString(), webhook)) {
            // 200 keys reach their quota, each raising an alert, while the webhook holds its first post unanswered
            for (int i = 0; i < 200; i++) {
                Decision d = engine.decide("webhook-key-" + (1_000_000 + i) + "-abcdefghij", "GET", "/pets");
                assertEquals(Outcome.ALLOWED, d.outcome());
                assertEquals(Outcome.QUOTA_EXCEEDED,
                        engine.decide("webhook-key-" + (1_000_000 + i) + "-abcdefghij", "GET", "/pets").outcome());
            }
            assertTrue(bodies.poll(10, TimeUnit.SECONDS) != null, "the webhook got its first post");
            assertEquals(1, release.getCount(), "every request was decided while the webhook had not answered");
            assertEquals(0, webhook.delivered());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (webhook.queued() + 1 < 200 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // bounded polling
            }
            assertEquals(199, webhook.queued(), "the other alerts wait in the webhook's queue, not in a request");
            release.countDown();
        }
    }

    @Test
    void aWebhookThatRefusesConnectionsDoesNotHoldUpRequestsAndIsGivenUpAfterBoundedAttempts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: connections are refused
        }
        AlertWebhook webhook = new AlertWebhook(URI.create("http://127.0.0.1:" + port + "/hooks/usage"), 1);
        try (UsagePlans engine = engine(PLANS, webhook)) {
            for (int i = 0; i < 50; i++) {
                engine.decide("webhook-alice-key-0123456789", "GET", "/pets");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (webhook.dropped() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // bounded polling
            }
            assertEquals(1, webhook.dropped(), "one alert, given up after " + AlertWebhook.ATTEMPTS + " attempts");
            assertEquals(0, webhook.delivered());
        }
    }

    @Test
    void aWebhookSettingThatIsNotAnHttpUrlFailsStartUpNamingTheSetting() {
        for (String bad : List.of("ftp://example.org/hook", "/relative/hook", "http://", "not a url")) {
            Map<String, String> settings = Map.of("usageplans.alerts.webhook", bad);
            UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> EngineBootstrap.of(
                    Settings.of(settings::get, null), getClass().getClassLoader()).catalog(PlanFile.parse(PLANS, "plans.yaml"))
                    .clock(clock).contextPath("/test").build());
            assertTrue(e.getMessage().contains("usageplans.alerts.webhook") && e.getMessage().contains("must be an absolute "
                    + "http or https URL, was '" + bad + "'"), e.getMessage());
        }
    }
}
