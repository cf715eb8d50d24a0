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
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.usageplans.testing.OneUtcDay;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.FreePorts;
import io.usageplans.testsupport.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The tutorial as a user runs it clustered: two example instances, each its own JVM started with
 * {@code --store hazelcast|infinispan --cluster NAME --cluster-mode MODE --port 0}, whose embedded Hazelcast members
 * (TCP-IP) or Infinispan nodes (JGroups TCP, a static member list) join each other on 127.0.0.1 (free ports, a
 * cluster name of their own), in both cluster modes. Requests
 * alternate between the two, and the limits hold for the cluster as a whole: basic's 10 a day, premium's method
 * throttle (burst 3) on GET /pets/{petId}, premium's 100 a day.
 */
class ClusteredTutorialTest {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String PREMIUM = "demo-premium-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String LIMIT_EXCEEDED = "{\"message\":\"Limit Exceeded\"}";
    static final String TOO_MANY_REQUESTS = "{\"message\":\"Too Many Requests\"}";
    static final String PET_ONE = "{\"id\":1,\"type\":\"dog\",\"price\":249.99}";

    /** How long two instances may take to start and form one cluster (two JVMs on two shared cores). */
    static final Duration START_UP = Duration.ofSeconds(90);

    @Nested
    class LeaseMode extends TutorialOnTwoInstances {
        LeaseMode() {
            super("lease");
        }
    }

    @Nested
    class ExactMode extends TutorialOnTwoInstances {
        ExactMode() {
            super("exact");
        }
    }

    @Nested
    class InfinispanLeaseMode extends TutorialOnTwoInstances {
        InfinispanLeaseMode() {
            super("infinispan", "lease");
        }
    }

    @Nested
    class InfinispanExactMode extends TutorialOnTwoInstances {
        InfinispanExactMode() {
            super("infinispan", "exact");
        }
    }

    /**
     * The tutorial's limits on one two-instance cluster, started once for all three tests. The quota test runs last:
     * it spends premium's day, which the method-throttle test also draws from (it counts those requests too).
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class TutorialOnTwoInstances {

        private final String store;
        private final String mode;
        private Instance a;
        private Instance b;
        /** Premium requests answered 2xx by either instance, by the UTC day of the answer. */
        private final Map<LocalDate, AtomicInteger> premiumServed = new ConcurrentHashMap<>();

        TutorialOnTwoInstances(String mode) {
            this("hazelcast", mode);
        }

        TutorialOnTwoInstances(String store, String mode) {
            this.store = store;
            this.mode = mode;
        }

        @BeforeAll
        void startTwoInstancesThatFormOneCluster() throws Exception {
            String cluster = "tutorial-" + store + "-" + mode + "-" + UUID.randomUUID();
            int[] gridPorts = FreePorts.loopback(2);
            String members = "127.0.0.1:" + gridPorts[0] + ",127.0.0.1:" + gridPorts[1];
            Path logs = Files.createDirectories(Path.of("target", "clustered-tutorial"));
            a = Instance.start(store, cluster, mode, gridPorts[0], members, logs.resolve(cluster + "-a.log"));
            b = Instance.start(store, cluster, mode, gridPorts[1], members, logs.resolve(cluster + "-b.log"));
            a.awaitStarted(mode);
            b.awaitStarted(mode);
            a.awaitClusterOfTwo();
            b.awaitClusterOfTwo();
            for (Instance instance : List.of(a, b)) {
                // the first requests load Jersey's and the filter's code: done here with the dev key (no quota, no
                // bucket shared with the keys under test) so that the tests' quick sequences are quick; one read of a
                // pet each, as dev's GET /pets/{petId} has the method throttle's burst of 3 too
                assertEquals(200, instance.get("/health", null).statusCode(), instance.describe());
                assertEquals(200, instance.get("/pets/2", DEV).statusCode(), instance.describe());
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, instance.get("/pets", DEV).statusCode(), instance.describe());
                }
            }
        }

        @AfterAll
        void stopBothInstances() {
            stop();
        }

        private void stop() {
            // closing their standard input makes both shut down at once; what remains after a bounded wait is killed
            for (Instance instance : new Instance[] {a, b}) {
                if (instance != null) {
                    instance.requestStop();
                }
            }
            for (Instance instance : new Instance[] {a, b}) {
                if (instance != null) {
                    instance.awaitStopped();
                }
            }
            a = null;
            b = null;
        }

        /** A new cluster, with fresh state: for a test that runs again because 00:00 UTC passed during it. */
        private void restart() throws Exception {
            stop();
            premiumServed.clear();
            startTwoInstancesThatFormOneCluster();
        }

        @Test
        @Order(1)
        void basicKeyGetsExactlyTenRequestsADayAcrossBothInstancesThenLimitExceededOnBoth() throws Exception {
            OneUtcDay.run(() -> {
                for (int i = 1; i <= 10; i++) {
                    Instance to = i % 2 == 1 ? a : b;
                    HttpResponse<String> r = to.get("/pets", BASIC);
                    assertEquals(200, r.statusCode(), "basic request " + i + " of 10, to " + to.describe() + ": " + r.body());
                    assertTrue(r.body().startsWith("[{\"id\":1,\"type\":\"dog\""), r.body());
                }
                for (Instance to : List.of(a, b, a, b)) {
                    HttpResponse<String> r = to.get("/pets", BASIC);
                    assertEquals(429, r.statusCode(), "basic request over 10, to " + to.describe() + ": " + r.body());
                    assertEquals(LIMIT_EXCEEDED, r.body(), to.describe());
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After until 00:00 UTC");
                }
            }, this::restart);
        }

        @Test
        @Order(2)
        void premiumMethodThrottleAllowsThreeQuickReadsOfAPetAcrossBothInstancesThenTooManyRequests() throws Exception {
            OneUtcDay.run(() -> {
                // GET /pets/{petId}: burst 3, then 1 more a second. Five quick calls: 3 pass, the next two are
                // throttled, on whichever instance they arrive.
                List<Instance> order = List.of(a, b, a, b, a);
                List<HttpResponse<String>> answers = new ArrayList<>();
                long start = System.nanoTime();
                for (Instance to : order) {
                    answers.add(premium(to, "/pets/1"));
                }
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, answers.get(i).statusCode(), "read " + (i + 1) + " of the burst of 3, to "
                            + order.get(i).describe() + ": " + answers.get(i).body());
                    assertEquals(PET_ONE, answers.get(i).body());
                }
                if (elapsedMillis < 1000) {
                    for (int i = 3; i < 5; i++) {
                        HttpResponse<String> r = answers.get(i);
                        assertEquals(429, r.statusCode(), "read " + (i + 1) + " within " + elapsedMillis
                                + " ms, after the burst of 3, to " + order.get(i).describe() + ": " + r.body());
                        assertEquals(TOO_MANY_REQUESTS, r.body());
                        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), "Retry-After of a 1/s throttle");
                    }
                } else {
                    // a machine too busy to send five requests within the refill of one token: at most one more per
                    // whole second may pass
                    long passed = answers.stream().filter(r -> r.statusCode() == 200).count();
                    assertTrue(passed <= 3 + elapsedMillis / 1000, passed + " reads passed in " + elapsedMillis + " ms");
                }
            }, this::restart);
        }

        @Test
        @Order(3)
        void premiumQuotaIsExactlyOneHundredADayAcrossBothInstancesThenLimitExceededOnBoth() throws Exception {
            OneUtcDay.run(() -> {
                // alternate until the first Limit Exceeded; throttle refusals (20/s, burst 40) are not charged and are
                // retried after a pause, so every answer that counts is a quota decision
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int sent = 0;
                int throttled = 0;
                Instance to = a;
                HttpResponse<String> r;
                while (true) {
                    assertTrue(System.nanoTime() < deadline && sent < 1000, "no Limit Exceeded after " + sent
                            + " requests (" + throttled + " throttled), " + servedToday() + " served today");
                    r = premium(to, "/pets");
                    sent++;
                    if (r.statusCode() == 429 && r.body().equals(TOO_MANY_REQUESTS)) {
                        throttled++;
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // pacing under 20/s, not a wait for an effect
                        continue;
                    }
                    if (r.statusCode() != 200) {
                        break;
                    }
                    to = to == a ? b : a;
                }
                assertEquals(429, r.statusCode(), to.describe() + ": " + r.body());
                assertEquals(LIMIT_EXCEEDED, r.body(), to.describe());
                assertEquals(100, servedToday(), "premium requests served by both instances today before Limit Exceeded"
                        + " (" + throttled + " throttle refusals retried)");
                for (Instance either : List.of(a, b, a, b)) {
                    HttpResponse<String> over = quotaAnswer(either, "/pets");
                    assertEquals(429, over.statusCode(), either.describe() + ": " + over.body());
                    assertEquals(LIMIT_EXCEEDED, over.body(), either.describe());
                }
                assertEquals(100, servedToday(), "premium requests served today");
            }, this::restart);
        }

        /** A premium request; a 2xx answer is counted for its UTC day. */
        private HttpResponse<String> premium(Instance to, String path) throws Exception {
            HttpResponse<String> r = to.get(path, PREMIUM);
            if (r.statusCode() / 100 == 2) {
                premiumServed.computeIfAbsent(OneUtcDay.today(), day -> new AtomicInteger()).incrementAndGet();
            }
            return r;
        }

        /** The first premium answer of {@code to} that is not a throttle refusal (those are retried after a pause). */
        private HttpResponse<String> quotaAnswer(Instance to, String path) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                HttpResponse<String> r = premium(to, path);
                if (!(r.statusCode() == 429 && r.body().equals(TOO_MANY_REQUESTS)) || System.nanoTime() > deadline) {
                    return r;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }

        private int servedToday() {
            AtomicInteger served = premiumServed.get(OneUtcDay.today());
            return served == null ? 0 : served.get();
        }
    }

    /** One example instance in its own JVM, its output (standard output and error) in a file under target/. */
    static final class Instance {

        private static final Pattern STARTED = Pattern.compile("at http://localhost:(\\d+)/test/pets ");

        private final String store;
        private final Process process;
        private final Path log;
        private int port;

        private Instance(String store, Process process, Path log) {
            this.store = store;
            this.process = process;
            this.log = log;
        }

        /**
         * Starts {@code java -cp <the tests' class path> PetStoreAppChild --port 0 --store STORE --cluster NAME
         * --cluster-mode MODE}, its member on {@code gridPort}, joining {@code members}.
         */
        static Instance start(String store, String cluster, String mode, int gridPort, String members, Path log)
                throws IOException {
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dusageplans.example.host=127.0.0.1",
                    "-Djava.net.preferIPv4Stack=true",
                    "-Dusageplans." + store + ".port=" + gridPort, "-Dusageplans." + store + ".members=" + members,
                    "-cp", System.getProperty("java.class.path"), PetStoreAppChild.class.getName(),
                    "--port", "0", "--store", store, "--cluster", cluster, "--cluster-mode", mode);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            // should this JVM end before @AfterAll (a killed build), the child sees its standard input end and exits
            return new Instance(store, process, log);
        }

        /** Waits for the app's start-up line, which names its port and cluster mode. */
        void awaitStarted(String mode) {
            String output = Await.until(this::output, out -> STARTED.matcher(out).find() || !process.isAlive(), START_UP,
                    "the start-up line of " + log);
            Matcher started = STARTED.matcher(output);
            if (!started.find()) {
                fail("the example instance exited with " + process.exitValue() + " before it started:\n" + output);
            }
            port = Integer.parseInt(started.group(1));
            assertTrue(output.contains(store + " store (cluster mode " + mode + ")"), "the start-up line names mode "
                    + mode + ":\n" + output);
        }

        /** Waits until Hazelcast or Infinispan (its JGroups view) reports this member in a cluster of two. */
        void awaitClusterOfTwo() {
            Pattern two = store.equals("hazelcast") ? Pattern.compile("Members \\{size:2") : Pattern.compile("ISPN000094: .*\\(2\\)");
            String output = Await.until(this::output, out -> two.matcher(out).find() || !process.isAlive(),
                    START_UP, "a cluster of 2 members in " + log);
            assertTrue(process.isAlive(), "the example instance exited:\n" + output);
        }

        HttpResponse<String> get(String path, String key) throws Exception {
            return Http.get("http://127.0.0.1:" + port + "/test" + path).header("x-api-key", key).send();
        }

        String describe() {
            return "instance at port " + port;
        }

        String output() {
            try {
                return new String(Files.readAllBytes(log), StandardCharsets.UTF_8); // a line may be half written
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void requestStop() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                process.destroy();
            }
        }

        void awaitStopped() {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
