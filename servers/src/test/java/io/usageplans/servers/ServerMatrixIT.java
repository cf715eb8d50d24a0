package io.usageplans.servers;

import static io.usageplans.servers.Http.BASIC;
import static io.usageplans.servers.Http.DEV;
import static io.usageplans.servers.Http.DISABLED;
import static io.usageplans.servers.Http.PREMIUM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example on each selected server ({@code -Dservers}), deployed unchanged at {@code /test}: the AWS tutorial's
 * scenario over HTTP, with the assertions of the embedded tests (PetStoreAppTest). Next to it, at {@code /broken},
 * the same WAR with a broken plan file, which must fail to deploy with our message while the server keeps running.
 * One server runs at a time; it is stopped after its tests, also when they fail.
 */
@ParameterizedClass(name = "{0}", allowZeroInvocations = true)
@MethodSource("servers")
@ExtendWith(Results.Recorder.class)
class ServerMatrixIT implements Results.Recorded {

    private static final String DAY_AND_BURST_POLICY = "\"premium-burst\";q=40;w=2, \"premium-day\";q=100;w=86400";
    /** The example's stage throttle on GET /pets, for all callers together. */
    private static final String STAGE_PETS_POLICY = ", \"stage-/pets/GET\";q=1000;w=2";

    private static RunningServer running;
    private static Results.Row row;

    @Parameter
    ServerKind server;

    static Stream<ServerKind> servers() {
        return Harness.selectedServers();
    }

    @BeforeParameterizedClassInvocation
    static void start(ServerKind server) throws Exception {
        row = Results.row(server.id, false);
        row.title = server.title;
        row.war = "`" + server.war + "`";
        try {
            Path war = Harness.war(server.war);
            Map<String, Path> wars = new LinkedHashMap<>();
            wars.put("test", war);
            wars.put("broken", BrokenWar.of(war));
            running = RunningServer.start(server, server.id, server.port, wars, "", Map.of());
            row.version = running.version;
            row.jdk = running.jdk;
            row.startedAt = running.startedAt;
            row.startSeconds = String.format("%.1f s", running.seconds);
            if (!"deployed".equals(running.apps.get("test"))) {
                throw new IllegalStateException("the example WAR did not deploy on " + server + "; see " + running.logs);
            }
        } catch (Exception | Error e) {
            row.startFailure = Results.firstLine(e);
            stop();
            throw e;
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    @Override
    public Results.Row row() {
        return row;
    }

    private static String url(String path) {
        return running.app("test") + path;
    }

    @Test
    void basicKeysTenthRequestOfTheDayPassesAndEleventhIsLimitExceeded() throws Exception {
        UtcDay.within(() -> {
            for (int i = 1; i <= 10; i++) {
                HttpResponse<String> r = Http.get(url("/pets"), BASIC);
                assertEquals(200, r.statusCode(), "request " + i);
                assertTrue(r.body().startsWith("[{\"id\":1,\"type\":\"dog\""), r.body());
                assertEquals("\"basic-burst\";q=20;w=2, \"basic-day\";q=10;w=86400" + STAGE_PETS_POLICY, header(r, "RateLimit-Policy"));
                assertEquals(10 - i, field(header(r, "RateLimit"), "basic-day", "r"), "quota left after request " + i);
            }
            for (int i = 11; i <= 12; i++) {
                long sent = System.currentTimeMillis();
                HttpResponse<String> r = Http.get(url("/pets"), BASIC);
                long answered = System.currentTimeMillis();
                assertEquals(429, r.statusCode(), "request " + i);
                assertEquals("{\"message\":\"Limit Exceeded\"}", r.body());
                assertTrue(header(r, "Content-Type").startsWith("application/json"), header(r, "Content-Type"));
                assertRetryAfterIsTheTimeToMidnightUtc(r, sent, answered);
                assertEquals(0, field(header(r, "RateLimit"), "basic-day", "r"));
            }
        });
    }

    @Test
    void premiumKeysMethodThrottleOnGetPetAllowsABurstOfThreeThenTooManyRequests() throws Exception {
        long first = System.nanoTime();
        int passed = 0;
        HttpResponse<String> rejected = null;
        while (rejected == null && passed < 10) {
            HttpResponse<String> r = Http.get(url("/pets/2"), PREMIUM);
            if (r.statusCode() == 429) {
                rejected = r;
            } else {
                assertEquals(200, r.statusCode());
                assertEquals("{\"id\":2,\"type\":\"cat\",\"price\":124.99}", r.body());
                assertEquals("\"premium-/pets/{petId}/GET\";q=3;w=3, " + DAY_AND_BURST_POLICY, header(r, "RateLimit-Policy"));
                passed++;
            }
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        assertNotNull(rejected, "10 quick calls of GET /pets/{petId} cannot all pass a burst of 3 and 1 per second");
        // a burst of 3, plus 1 per second since the first call: 200 200 200 429 when they are quick
        assertTrue(passed >= 3 && passed <= 3 + (int) seconds, passed + " calls passed in " + seconds + " s");
        assertEquals("{\"message\":\"Too Many Requests\"}", rejected.body());
        assertEquals("1", header(rejected, "Retry-After"));
        assertEquals(0, field(header(rejected, "RateLimit"), "premium-/pets/{petId}/GET", "r"));
    }

    @Test
    void premiumKeysCountOneQuotaUnitPerRequestAndSeeBurstAndQuotaInRateLimitFields() throws Exception {
        UtcDay.within(() -> {
            HttpResponse<String> usage = Http.get(url("/usage"), PREMIUM);
            assertEquals(200, usage.statusCode());
            Matcher m = Pattern.compile("\\{\"key\":\"premium-customer\",\"plan\":\"premium\",\"throttleRemaining\":\\d+,"
                    + "\"quotaLimit\":100,\"quotaRemaining\":(\\d+),\"quotaResetsAt\":\"([^\"]+)\"}").matcher(usage.body());
            assertTrue(m.matches(), usage.body());
            int before = Integer.parseInt(m.group(1));
            assertEquals(LocalDate.now(ZoneOffset.UTC).plusDays(1) + "T00:00:00Z", m.group(2), "the quota resets at 00:00 UTC");
            for (int i = 1; i <= 5; i++) {
                HttpResponse<String> r = Http.get(url("/pets"), PREMIUM);
                assertEquals(200, r.statusCode());
                assertEquals(DAY_AND_BURST_POLICY + STAGE_PETS_POLICY, header(r, "RateLimit-Policy"));
                assertEquals(before - i, field(header(r, "RateLimit"), "premium-day", "r"), "request " + i);
                assertTrue(field(header(r, "RateLimit"), "premium-burst", "r") < 40);
            }
            Matcher after = Pattern.compile("\"quotaRemaining\":(\\d+)").matcher(Http.get(url("/usage"), PREMIUM).body());
            assertTrue(after.find());
            assertEquals(before - 6, Integer.parseInt(after.group(1)), "five pet lists and this call");
        });
    }

    @Test
    void premiumKeysCanAddAPetThatOtherKeysThenRead() throws Exception {
        HttpResponse<String> added = Http.send("POST", url("/pets"), PREMIUM, "{\"type\":\"bird\",\"price\":12.5}");
        assertEquals(201, added.statusCode());
        Matcher pet = Pattern.compile("\\{\"pet\":(\\{\"id\":(\\d+),\"type\":\"bird\",\"price\":12.5}),\"message\":\"success\"}")
                .matcher(added.body());
        assertTrue(pet.matches(), added.body());
        HttpResponse<String> read = Http.get(url("/pets/" + pet.group(2)), DEV);
        assertEquals(200, read.statusCode());
        assertEquals(pet.group(1), read.body());
        HttpResponse<String> missing = Http.get(url("/pets/999"), DEV);
        assertEquals(404, missing.statusCode());
        assertEquals("{\"message\":\"Pet not found\"}", missing.body());
    }

    @Test
    void exportIsForPremiumKeysOnlyAndBasicKeysAreForbidden() throws Exception {
        HttpResponse<String> basic = Http.get(url("/pets/export"), BASIC);
        assertEquals(403, basic.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", basic.body());
        HttpResponse<String> premium = Http.get(url("/pets/export"), PREMIUM);
        assertEquals(200, premium.statusCode());
        assertTrue(premium.body().startsWith("{\"pets\":[{\"id\":1,"), premium.body());
    }

    @Test
    void missingUnknownAndDisabledKeysAreForbiddenWithTheGatewaysBody() throws Exception {
        for (String key : new String[] {null, "demo-unknown-key-0123456789", DISABLED}) {
            HttpResponse<String> r = Http.get(url("/pets"), key);
            assertEquals(403, r.statusCode(), "key " + key);
            assertEquals("{\"message\":\"Forbidden\"}", r.body());
            assertTrue(header(r, "Content-Type").startsWith("application/json"), header(r, "Content-Type"));
            assertFalse(r.headers().firstValue("RateLimit").isPresent(), "no RateLimit fields on a 403");
        }
    }

    @Test
    void healthNeedsNoKeyAndIsNotMetered() throws Exception {
        HttpResponse<String> r = Http.get(url("/health"), null);
        assertEquals(200, r.statusCode());
        assertEquals("{\"status\":\"UP\"}", r.body());
        assertFalse(r.headers().firstValue("RateLimit").isPresent());
        assertFalse(r.headers().firstValue("RateLimit-Policy").isPresent());
    }

    @Test
    void usageShowsTheCallerTheirOwnPlanAndQuota() throws Exception {
        HttpResponse<String> r = Http.get(url("/usage"), DEV);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("{\"key\":\"dev-team\",\"plan\":\"dev\",\"throttleRemaining\":"), r.body());
        assertTrue(r.body().endsWith("\"quotaLimit\":null,\"quotaRemaining\":null,\"quotaResetsAt\":null}"), r.body());
    }

    @Test
    void devKeysAreNotLimitedAtOneHundredQuickRequests() throws Exception {
        for (int i = 1; i <= 100; i++) {
            assertEquals(200, Http.get(url("/pets"), DEV).statusCode(), "request " + i);
        }
    }

    @Test
    void brokenPlanFileStopsItsDeploymentWithOurMessageWhileTheServerKeepsRunning() throws Exception {
        assertEquals("failed", running.apps.get("broken"), "the WAR with the broken plan file must not deploy");
        String line = running.logLine(BrokenWar.MESSAGE, BrokenWar.VALUE).orElseThrow(() -> new AssertionError(
                "no log line with '" + BrokenWar.MESSAGE + "...' and '" + BrokenWar.VALUE + "' in " + running.logs));
        assertTrue(line.contains("usage-plans: "), line);
        int broken = Http.get(running.app("broken") + "/health", null).statusCode();
        assertFalse(broken >= 200 && broken < 300, "/broken must not serve the application, answered " + broken);
        assertTrue(running.alive(), "the server process runs");
        assertEquals(200, Http.get(url("/health"), null).statusCode(), "the good application still answers");
    }

    /**
     * A key header with a control character is refused by some servers' own HTTP parser (Tomcat, Jetty) before any
     * filter runs, with the server's error page: with the hardening of the README's Servers section (which the
     * scripts apply), that page shows neither the header (the key), nor a stack trace, nor the server's version, and
     * the server's log does not show the key either. Servers that pass the header on (WildFly) refuse the key with 403.
     */
    @Test
    void aKeyHeaderWithAControlCharacterIsRefusedWithoutEchoingTheKeyAStackTraceOrTheServerVersion() throws Exception {
        String secret = "probe-secret-9f3c2a7d61e04b58";
        String version = running.version;
        String release = version.replaceFirst("^(\\d+(\\.\\d+)*).*$", "$1"); // 39.0.1.Final -> 39.0.1
        for (char control : new char[] {0x01, 0x1b, 0x7f}) {
            String answer = Http.raw(running.port, "GET /test/pets HTTP/1.1\r\nHost: 127.0.0.1:" + running.port + "\r\n"
                    + "x-api-key: demo-key-" + control + "-" + secret + "\r\nConnection: close\r\n\r\n");
            String what = "the answer to a key with the control character 0x" + Integer.toHexString(control) + ":\n" + answer;
            Matcher status = Pattern.compile("^HTTP/1\\.1 (\\d{3})").matcher(answer);
            assertTrue(status.find(), what);
            int code = Integer.parseInt(status.group(1));
            assertTrue(code == 400 || code == 403, what);
            assertFalse(answer.contains(secret), "the key is echoed in " + what);
            assertFalse(answer.contains("demo-key-"), "the key is echoed in " + what);
            for (String stackTrace : new String[] {"Exception", "\tat ", ".java:"}) {
                assertFalse(answer.contains(stackTrace), "a stack trace (" + stackTrace.trim() + ") in " + what);
            }
            assertFalse(answer.contains(release), "the server's version " + version + " in " + what);
        }
        assertEquals(Optional.empty(), running.logLine(secret), "the server logged the key");
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header; headers: "
                + response.headers().map()));
    }

    /** A parameter ({@code r}, {@code t}) of one policy ({@code "premium-day"}) in a RateLimit field. */
    static int field(String rateLimit, String policy, String parameter) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(policy) + "\";[^,]*\\b" + parameter + "=(\\d+)").matcher(rateLimit);
        if (!m.find()) {
            throw new AssertionError("no " + parameter + " for \"" + policy + "\" in RateLimit: " + rateLimit);
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * The answer's {@code Retry-After} is the time to 00:00 UTC from when the server decided, which was between
     * {@code sent} and {@code answered} (epoch milliseconds of the same clock), rounded up to whole seconds.
     */
    static void assertRetryAfterIsTheTimeToMidnightUtc(HttpResponse<?> r, long sent, long answered) {
        long retryAfter = Long.parseLong(header(r, "Retry-After"));
        long earliest = UtcDay.secondsToMidnight(answered);
        long latest = UtcDay.secondsToMidnight(sent);
        assertTrue(retryAfter >= earliest && retryAfter <= latest, "Retry-After " + retryAfter
                + " s is not the time to 00:00 UTC, " + earliest + " to " + latest + " s");
    }
}
