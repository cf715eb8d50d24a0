package io.usageplans.servers;

import static io.usageplans.servers.Http.BASIC;
import static io.usageplans.servers.Http.PREMIUM;
import static io.usageplans.servers.ServerMatrixIT.field;
import static io.usageplans.servers.ServerMatrixIT.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two instances of one server kind, one cluster: the limits hold across both. The instances start one after the
 * other (so the second joins the first rather than both forming clusters of their own), and the tests begin once
 * each instance's log shows a cluster of two.
 */
@ParameterizedClass(name = "{0}", allowZeroInvocations = true)
@MethodSource("clusters")
@ExtendWith(Results.Recorder.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT implements Results.Recorded {

    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);

    private static final List<RunningServer> instances = new ArrayList<>();
    private static Results.Row row;

    @Parameter
    ClusterKind cluster;

    static Stream<ClusterKind> clusters() {
        return Harness.selectedClusters();
    }

    @BeforeParameterizedClassInvocation
    static void start(ClusterKind cluster) throws Exception {
        row = Results.row(cluster.id, true);
        row.title = cluster.title;
        row.war = cluster.store;
        String name = "usage-plans-it-" + ProcessHandle.current().pid();
        try {
            List<String> seconds = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RunningServer instance = RunningServer.start(cluster.server, cluster.id + "-" + i, cluster.port(i),
                        Map.of("test", Harness.war(cluster.server.war)), cluster.jvmOptions(name, i), cluster.env(name, i));
                instances.add(instance);
                if (!"deployed".equals(instance.apps.get("test"))) {
                    throw new IllegalStateException("the example WAR did not deploy on " + cluster + " instance " + i + "; see "
                            + instance.logs);
                }
                seconds.add(String.format("%.1f s", instance.seconds));
            }
            for (RunningServer instance : instances) {
                instance.awaitLogLine(JOIN_TIMEOUT, cluster.joined);
            }
            row.version = instances.get(0).version;
            row.jdk = instances.get(0).jdk;
            row.startedAt = instances.get(0).startedAt;
            row.startSeconds = String.join(" + ", seconds);
        } catch (Exception | Error e) {
            row.startFailure = Results.firstLine(e);
            stop();
            throw e;
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        for (RunningServer instance : instances) {
            instance.close();
        }
        instances.clear();
    }

    @Override
    public Results.Row row() {
        return row;
    }

    private static String url(int instance, String path) {
        return instances.get(instance).app("test") + path;
    }

    @Test
    @Order(2)
    void basicKeysTenRequestsPerDayAreTenAcrossBothInstances() throws Exception {
        UtcDay.within(() -> {
            for (int i = 1; i <= 10; i++) {
                HttpResponse<String> r = Http.get(url(i % 2, "/pets"), BASIC);
                assertEquals(200, r.statusCode(), "request " + i + " on instance " + i % 2);
                assertEquals(10 - i, field(header(r, "RateLimit"), "basic-day", "r"), "quota left after request " + i);
            }
            for (int instance = 0; instance < 2; instance++) {
                long sent = System.currentTimeMillis();
                HttpResponse<String> r = Http.get(url(instance, "/pets"), BASIC);
                long answered = System.currentTimeMillis();
                assertEquals(429, r.statusCode(), "instance " + instance);
                assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
                ServerMatrixIT.assertRetryAfterIsTheTimeToMidnightUtc(r, sent, answered);
            }
        });
    }

    @Test
    @Order(3) // last: it empties the premium bucket
    void premiumBurstOfFortyIsSharedByBothInstances() throws Exception {
        // 100 requests, 50 on each instance, from 20 threads released at once (5 each, one after the other): one
        // bucket of 40 shared by both, refilled 20 per second, lets at most 40 + 20 per second of the burst through;
        // a bucket per instance would let 80 through (40 each). The servers decided every request between the release
        // and the last answer, so that time bounds the refill; the burst must be quick enough (under 2 s) for the
        // bound to stay under 80.
        int threads = 20;
        int perThread = 5;
        int requests = threads * perThread;
        List<Future<List<Integer>>> statuses = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int t = 0; t < threads; t++) {
                int first = t;
                statuses.add(pool.submit(() -> {
                    ready.countDown();
                    release.await();
                    List<Integer> codes = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        codes.add(Http.get(url((first + i) % 2, "/pets"), PREMIUM).statusCode());
                    }
                    return codes;
                }));
            }
            assertTrue(ready.await(30, TimeUnit.SECONDS), "the " + threads + " threads did not start within 30 s");
            long released = System.nanoTime();
            release.countDown();
            int passed = 0;
            int throttled = 0;
            for (Future<List<Integer>> codes : statuses) {
                for (int code : codes.get(2, TimeUnit.MINUTES)) {
                    if (code == 200) {
                        passed++;
                    } else if (code == 429) {
                        throttled++;
                    } else {
                        throw new AssertionError("a premium request got " + code);
                    }
                }
            }
            double seconds = (System.nanoTime() - released) / 1e9;
            int bound = 40 + (int) Math.ceil(20 * seconds);
            System.out.printf(Locale.ROOT, "[servers] %s: premium burst, %d of %d passed in %.2f s (at most %d)%n", cluster, passed,
                    requests, seconds, bound);
            assertEquals(requests, passed + throttled);
            assertTrue(bound < 80, String.format(Locale.ROOT, "the burst took %.2f s: too slow to tell one shared bucket "
                    + "(at most %d) from a bucket per instance (80); %d passed", seconds, bound, passed));
            assertTrue(passed >= 40, passed + " passed: the burst is 40");
            assertTrue(passed <= bound, String.format(Locale.ROOT, "%d passed in %.2f s, over 40 + 20 per second = %d: more "
                    + "than one bucket", passed, seconds, bound));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(1)
    void premiumQuotaLeftIsTheSameCountOnBothInstances() throws Exception {
        UtcDay.within(() -> {
            int first = quotaRemaining(Http.get(url(0, "/usage"), PREMIUM));
            int second = quotaRemaining(Http.get(url(1, "/usage"), PREMIUM));
            assertEquals(first - 1, second, "one request later, on the other instance");
            HttpResponse<String> r = Http.get(url(0, "/pets"), PREMIUM);
            assertEquals(200, r.statusCode());
            assertEquals(first - 2, field(header(r, "RateLimit"), "premium-day", "r"));
        });
    }

    @Test
    @Order(4)
    void aKeyCreatedThroughTheAdminApiOfOneInstanceWorksOnTheOtherAndIsDisabledEverywhere() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest create = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url(0, "/usage-plans/admin/apikeys")))
                .header("Authorization", "Bearer demo-admin-token-0123456789").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"cluster-partner\",\"usagePlanIds\":[\"premium\"]}"))
                .build();
        HttpResponse<String> created = client.send(create, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        Matcher value = Pattern.compile("\"value\":\"([A-Za-z0-9]{40})\"").matcher(created.body());
        assertTrue(value.find(), created.body());
        String key = value.group(1);
        awaitStatus(url(1, "/pets"), key, 200, "the other instance to accept the new key");

        java.net.http.HttpRequest disable = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url(1, "/usage-plans/admin/apikeys/cluster-partner")))
                .header("Authorization", "Bearer demo-admin-token-0123456789").header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":false}")).build();
        assertEquals(200, client.send(disable, HttpResponse.BodyHandlers.ofString()).statusCode());
        awaitStatus(url(0, "/pets"), key, 403, "the first instance to refuse the disabled key");
    }

    /** Polls until {@code url} answers {@code status} for {@code key}, for at most 10 s (key changes travel by event). */
    private static void awaitStatus(String url, String key, int status, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int last;
        do {
            last = Http.get(url, key).statusCode();
            if (last == status) {
                return;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        assertEquals(status, last, "waited 10 s for " + what);
    }

    private static int quotaRemaining(HttpResponse<String> usage) {
        assertEquals(200, usage.statusCode(), usage.body());
        Matcher m = Pattern.compile("\"quotaRemaining\":(\\d+)").matcher(usage.body());
        assertTrue(m.find(), usage.body());
        return Integer.parseInt(m.group(1));
    }
}
