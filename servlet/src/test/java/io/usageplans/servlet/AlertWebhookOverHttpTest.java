package io.usageplans.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.usageplans.testing.OneUtcDay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code usageplans.alerts.webhook} as an init-param, over real HTTP: while the webhook holds its first post unanswered,
 * every request is still answered, and once it answers every alert arrives, naming keys by name only.
 */
class AlertWebhookOverHttpTest {

    static final int KEYS = 20;

    @TempDir
    Path dir;

    @Test
    void aWebhookThatDoesNotAnswerHoldsUpNoRequestAndGetsEveryAlertOnceItAnswers() throws Exception {
        StringBuilder plans = new StringBuilder("""
                plans:
                  - name: basic
                    quota: { limit: 1, period: DAY }
                    apiStages: [ { stage: test } ]
                    alerts: { quota: [100] }
                apiKeys:
                """);
        for (int i = 0; i < KEYS; i++) {
            plans.append("  - { name: customer-").append(i).append(", value: ").append(value(i)).append(", plans: [basic] }\n");
        }
        Path file = Files.writeString(dir.resolve("plans.yaml"), plans);
        OneUtcDay.run(() -> {
            CountDownLatch release = new CountDownLatch(1);
            BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
            HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            webhook.createContext("/alerts", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            webhook.setExecutor(Executors.newFixedThreadPool(2));
            webhook.start();
            String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts";
            try (TestServer server = TestServer.withInitParams(Map.of("usageplans.config", file.toString(),
                    "usageplans.alerts.webhook", url))) {
                for (int i = 0; i < KEYS; i++) {
                    assertEquals(200, server.get("/pets", value(i)).statusCode(), "customer-" + i);
                    assertEquals(429, server.get("/pets", value(i)).statusCode(), "customer-" + i);
                }
                String first = bodies.poll(10, TimeUnit.SECONDS);
                assertTrue(first != null, "the webhook got its first post");
                assertEquals(1, release.getCount(), "all " + 2 * KEYS + " requests answered while the webhook was silent");
                release.countDown();
                Set<String> keys = new TreeSet<>();
                Pattern key = Pattern.compile("\"key\":\"(customer-\\d+)\"");
                bodies.add(first);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (keys.size() < KEYS && System.nanoTime() < deadline) {
                    String body = bodies.poll(100, TimeUnit.MILLISECONDS);
                    if (body != null) {
                        assertFalse(body.contains("alerts-http-key"), "never the key's value: " + body);
                        Matcher m = key.matcher(body);
                        assertTrue(m.find(), body);
                        keys.add(m.group(1));
                    }
                }
                assertEquals(KEYS, keys.size(), "every alert arrives, those queued behind the first too: " + keys);
            } finally {
                release.countDown();
                webhook.stop(0);
            }
        }, () -> { });
    }

    private static String value(int i) {
        return "alerts-http-key-" + (100_000 + i) + "-abcdefghij";
    }
}
