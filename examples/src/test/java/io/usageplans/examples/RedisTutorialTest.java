package io.usageplans.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.usageplans.testing.OneUtcDay;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.Http;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The tutorial as a user runs it on Redis: one real redis-server, two example instances, each its own JVM started with
 * {@code --store redis --redis-uri redis://127.0.0.1:PORT --cluster-mode MODE --port 0}, in both cluster modes. The
 * limits hold for both together: basic's 10 a day with requests alternating, and premium's 100 a day exactly under 200
 * concurrent requests spread over both instances.
 */
class RedisTutorialTest {

    static final String BASIC = ClusteredTutorialTest.BASIC;
    static final String PREMIUM = ClusteredTutorialTest.PREMIUM;
    static final String DEV = ClusteredTutorialTest.DEV;
    static final String LIMIT_EXCEEDED = ClusteredTutorialTest.LIMIT_EXCEEDED;
    static final String TOO_MANY_REQUESTS = ClusteredTutorialTest.TOO_MANY_REQUESTS;

    @Nested
    class LeaseMode extends TutorialOnRedis {
        LeaseMode() {
            super("lease");
        }
    }

    @Nested
    class ExactMode extends TutorialOnRedis {
        ExactMode() {
            super("exact");
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class TutorialOnRedis {

        private final String mode;
        private RedisServer redis;
        private Instance a;
        private Instance b;

        TutorialOnRedis(String mode) {
            this.mode = mode;
        }

        @BeforeAll
        void startRedisAndTwoInstances() throws Exception {
            redis = RedisServer.start();
            Path logs = Files.createDirectories(Path.of("target", "redis-tutorial"));
            a = Instance.start(redis.uri(), mode, logs.resolve("redis-" + mode + "-a.log"));
            b = Instance.start(redis.uri(), mode, logs.resolve("redis-" + mode + "-b.log"));
            a.awaitStarted(mode);
            b.awaitStarted(mode);
            for (Instance instance : List.of(a, b)) {
                assertEquals(200, instance.get("/health", null).statusCode()); // loads Jersey's and the filter's code
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, instance.get("/pets", DEV).statusCode());
                }
            }
        }

        @AfterAll
        void stopAll() {
            for (Instance instance : new Instance[] {a, b}) {
                if (instance != null) {
                    instance.stop();
                }
            }
            if (redis != null) {
                redis.close();
            }
        }

        /** Fresh state for a test that runs again because 00:00 UTC passed during it. */
        private void restart() throws Exception {
            stopAll();
            startRedisAndTwoInstances();
        }

        @Test
        @Order(1)
        void basicKeyGetsExactlyTenRequestsADayAcrossBothInstancesThenLimitExceededOnBoth() throws Exception {
            OneUtcDay.run(() -> {
                for (int i = 1; i <= 10; i++) {
                    Instance to = i % 2 == 1 ? a : b;
                    HttpResponse<String> r = to.get("/pets", BASIC);
                    assertEquals(200, r.statusCode(), "basic request " + i + " of 10, to " + to.describe() + ": " + r.body());
                    assertTrue(r.headers().firstValue("RateLimit").orElse("").contains("\"basic-day\";r=" + (10 - i) + ";"),
                            "the quota counted down across both: " + r.headers().firstValue("RateLimit"));
                }
                for (Instance to : List.of(a, b, a, b)) {
                    HttpResponse<String> r = to.get("/pets", BASIC);
                    assertEquals(429, r.statusCode(), "basic request over 10, to " + to.describe() + ": " + r.body());
                    assertEquals(LIMIT_EXCEEDED, r.body());
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After until 00:00 UTC");
                }
            }, this::restart);
        }

        @Test
        @Order(2)
        void premiumQuotaIsExactlyOneHundredUnderTwoHundredConcurrentRequestsOnBothInstances() throws Exception {
            OneUtcDay.run(() -> {
                // 200 requests at once, half to each instance. The premium throttle (20/s, burst 40) refuses some with
                // Too Many Requests, which is not charged; those are sent again, all at once, until every one of the 200
                // ends as served or Limit Exceeded
                List<Instance> targets = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    targets.add(i % 2 == 0 ? a : b);
                }
                int served = 0;
                int limitExceeded = 0;
                int throttled = 0;
                for (int round = 0; !targets.isEmpty(); round++) {
                    assertTrue(round < 60, targets.size() + " requests still throttled after 60 rounds");
                    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                    for (Instance to : targets) {
                        answers.add(to.getAsync("/pets", PREMIUM));
                    }
                    List<Instance> again = new ArrayList<>();
                    for (int i = 0; i < answers.size(); i++) {
                        HttpResponse<String> r = answers.get(i).get(60, TimeUnit.SECONDS);
                        if (r.statusCode() == 200) {
                            served++;
                        } else if (r.statusCode() == 429 && r.body().equals(LIMIT_EXCEEDED)) {
                            limitExceeded++;
                        } else if (r.statusCode() == 429 && r.body().equals(TOO_MANY_REQUESTS)) {
                            throttled++;
                            again.add(targets.get(i));
                        } else {
                            fail("unexpected answer " + r.statusCode() + " " + r.body() + " from " + targets.get(i).describe());
                        }
                    }
                    targets = again;
                    if (!targets.isEmpty()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // pacing: the throttle refills 10 tokens
                    }
                }
                assertEquals(100, served, "premium requests served by both instances (" + throttled + " throttle refusals sent again)");
                assertEquals(100, limitExceeded, "the other 100 got Limit Exceeded");
                for (Instance either : List.of(a, b, a, b)) {
                    HttpResponse<String> r = either.get("/pets", PREMIUM); // a used-up quota wins over the throttle
                    assertEquals(429, r.statusCode(), either.describe() + ": " + r.body());
                    assertEquals(LIMIT_EXCEEDED, r.body(), either.describe());
                }
            }, this::restart);
        }
    }

    /** One example instance in its own JVM ({@link PetStoreAppChild}), its output in a file under target/. */
    static final class Instance {

        private static final Pattern STARTED = Pattern.compile("at http://localhost:(\\d+)/test/pets ");

        private final Process process;
        private final Path log;
        private int port;

        private Instance(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Instance start(String redisUri, String mode, Path log) throws IOException {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dusageplans.example.host=127.0.0.1", "-cp", System.getProperty("java.class.path"),
                    PetStoreAppChild.class.getName(), "--port", "0", "--store", "redis", "--redis-uri", redisUri,
                    "--cluster-mode", mode);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            return new Instance(process, log);
        }

        void awaitStarted(String mode) {
            String output = Await.until(this::output, out -> STARTED.matcher(out).find() || !process.isAlive(),
                    ClusteredTutorialTest.START_UP, "the start-up line of " + log);
            Matcher started = STARTED.matcher(output);
            if (!started.find()) {
                fail("the example instance exited with " + process.exitValue() + " before it started:\n" + output);
            }
            port = Integer.parseInt(started.group(1));
            assertTrue(output.contains("redis store (cluster mode " + mode + ")"), "the start-up line names mode " + mode + ":\n" + output);
        }

        HttpResponse<String> get(String path, String key) throws Exception {
            Http.Request request = Http.get("http://127.0.0.1:" + port + "/test" + path);
            return (key == null ? request : request.header("x-api-key", key)).send();
        }

        CompletableFuture<HttpResponse<String>> getAsync(String path, String key) {
            return Http.get("http://127.0.0.1:" + port + "/test" + path).header("x-api-key", key).sendAsync();
        }

        String describe() {
            return "instance at port " + port;
        }

        String output() {
            try {
                return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void stop() {
            try {
                process.getOutputStream().close(); // PetStoreAppChild exits when its standard input ends
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
