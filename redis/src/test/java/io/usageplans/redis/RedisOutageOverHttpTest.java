package io.usageplans.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.spi.UsageStore;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.JettyApp;
import io.usageplans.testsupport.RedisServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis taken away under load, over real HTTP: stopped, each plan gets its fail mode (a plan failing closed answers 503, the
 * lenient plan passes through) within the configured wait and no request thread stays blocked; started again, the
 * same application meters again without a restart. Then frozen (SIGSTOP, connections open, nothing answers): the
 * same within the wait, and no thread is left waiting in the Redis client while it stays frozen; the decisions Redis
 * runs once it wakes up, whose requests already got 503, charge nothing.
 */
class RedisOutageOverHttpTest {

    static final int WAIT_MILLIS = 300;
    /** A plan that fails closed (the default), with a large daily quota whose counter says what was charged. */
    static final String CLOSED = RedisStoreTest.COUNTED;
    /** Requests of {@link #CLOSED} answered 200 during the whole test. */
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    /**
     * What a request may take beyond the wait on two shared cores: HTTP, Jetty, the engine, and the pauses of a box that
     * builds other modules meanwhile (a full build saw 1,090 ms once). What this bounds is that no request hangs on a
     * frozen Redis (without the wait, the socket's own timeout: never); the wait itself is measured in the summary line.
     */
    static final long SLACK_MILLIS = 1700;

    /** Answers 200 "ok". */
    public static class Ok extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(200);
            response.getWriter().write("ok");
        }
    }

    record Answer(String key, int status, String body, long sentNanos, long millis, String rateLimit) {
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"exact", "lease"})
    void redisStoppedOrFrozenMidLoadGivesEachPlanItsFailModeWithinTheWaitAndMeteringResumesAfterwards(String mode) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> settings = Map.of("usageplans.store", "redis", "usageplans.redis.uri", redis.uri(),
                    "usageplans.redis.timeout", Integer.toString(WAIT_MILLIS), "usageplans.cluster.mode", mode);
            UsageStore store = new RedisStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
            try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").ownedStore(store).build();
                 JettyApp app = JettyApp.context("/test").filter(new UsagePlanFilter(engine)).servlet(Ok.class, "/*").start()) {
                assertEquals(200, get(app, CLOSED).status(), "metered through Redis");

                // stopped: the process is gone, connections are refused
                List<Answer> stopped = underLoad(app, redis::stop, () -> {
                    redis.restart();
                    served.set(0); // a Redis without persistence starts empty: count from here
                });
                checkFailModes(stopped, "stopped");
                Await.until(() -> get(app, CLOSED).status() == 200, Duration.ofSeconds(10),
                        "metering to resume once Redis is back");
                assertEquals(200, get(app, RedisStoreTest.OPEN).status());

                // frozen: connections stay open and nothing answers, so each call waits for the timeout
                List<Answer> frozen = underLoad(app, redis::pause, () -> {
                    Await.until(() -> threadsInRedisClient().isEmpty(), Duration.ofMillis(WAIT_MILLIS + SLACK_MILLIS),
                            "no thread left in the Redis client while Redis stays frozen: " + threadsInRedisClient());
                    redis.resume();
                });
                checkFailModes(frozen, "frozen");
                Await.until(() -> get(app, CLOSED).status() == 200, Duration.ofSeconds(10),
                        "metering to resume once Redis answers again");
                if (mode.equals("exact")) {
                    // the decisions Redis ran after it woke up, whose requests had already got 503, changed nothing
                    Answer last = get(app, CLOSED);
                    java.util.regex.Matcher r = java.util.regex.Pattern.compile("\"counted-day\";r=(\\d+);").matcher(last.rateLimit());
                    assertTrue(r.find(), last.rateLimit());
                    assertEquals(served.get(), 1_000_000 - Long.parseLong(r.group(1)),
                            "the quota counted exactly the requests served: " + last.rateLimit());
                }
            }
        }
    }

    /**
     * Four threads send requests of the closed and the lenient key; after 40 answers {@code outage} runs, the load goes on
     * for 60 more answers and until the first 503 (at most 20,000 requests in all), {@code recovery} runs once the load has stopped; returns the
     * answers to requests sent after the outage began.
     */
    private List<Answer> underLoad(JettyApp app, Runnable outage, Runnable recovery) throws InterruptedException {
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String key = t % 2 == 0 ? CLOSED : RedisStoreTest.OPEN;
            Thread thread = new Thread(() -> {
                while (!stop.get() && sent.incrementAndGet() < 20_000) {
                    answers.add(get(app, key));
                }
            }, "load-" + t);
            thread.start();
            threads.add(thread);
        }
        Await.until(() -> answers.size() >= 40, Duration.ofSeconds(30), "the load to run");
        long outageAt = System.nanoTime();
        outage.run();
        // at least 60 answers, and long enough for lease mode to spend or drop (hold time: 2 s) the allowance it holds
        Await.until(() -> answers.stream().filter(a -> a.sentNanos() > outageAt).count() >= 60
                && answers.stream().anyMatch(a -> a.sentNanos() > outageAt && a.status() == 503), Duration.ofSeconds(60),
                "60 answers during the outage, one of them a 503");
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(30_000);
            assertTrue(!thread.isAlive(), thread.getName() + " finished");
        }
        recovery.run();
        return answers.stream().filter(a -> a.sentNanos() > outageAt).toList();
    }

    private static void checkFailModes(List<Answer> answers, String outage) {
        long closed503 = answers.stream().filter(a -> a.key().equals(CLOSED) && a.status() == 503).count();
        assertTrue(closed503 > 0, "the closed plan failed closed while Redis was " + outage + ": " + summary(answers));
        for (Answer a : answers) {
            assertTrue(a.millis() <= WAIT_MILLIS + SLACK_MILLIS, "an answer within the wait while Redis was " + outage + ": " + a);
            if (a.key().equals(RedisStoreTest.OPEN)) {
                assertEquals(200, a.status(), "the lenient plan fails open: " + a);
            } else if (a.status() == 503) {
                assertEquals("{\"message\":\"Service Unavailable\"}", a.body());
            } else {
                assertEquals(200, a.status(), "closed: decided before the outage was seen, or from its allowance: " + a);
            }
        }
        System.out.printf("Redis %s: %s%n", outage, summary(answers));
    }

    private static String summary(List<Answer> answers) {
        long max = answers.stream().mapToLong(Answer::millis).max().orElse(0);
        Map<String, Long> counts = new java.util.TreeMap<>();
        answers.forEach(a -> counts.merge((a.key().equals(CLOSED) ? "closed " : "lenient ") + a.status(), 1L, Long::sum));
        return answers.size() + " requests, " + counts + ", slowest " + max + " ms";
    }

    /** Threads in the Redis client but our own background ones (catalog polling, lease settlements): request threads. */
    private static List<String> threadsInRedisClient() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().startsWith("redis.clients.jedis") && !thread.getName().startsWith("usage-plans-")) {
                    names.add(thread.getName());
                    return;
                }
            }
        });
        return names;
    }

    private Answer get(JettyApp app, String key) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = app.get("/test/pets").header("x-api-key", key).send();
            if (key.equals(CLOSED) && response.statusCode() == 200) {
                served.incrementAndGet();
            }
            return new Answer(key, response.statusCode(), response.body(), start, (System.nanoTime() - start) / 1_000_000,
                    response.headers().firstValue("RateLimit").orElse(""));
        } catch (IOException e) {
            return new Answer(key, -1, e.toString(), start, (System.nanoTime() - start) / 1_000_000, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(key, -1, e.toString(), start, 0, "");
        }
    }
}
