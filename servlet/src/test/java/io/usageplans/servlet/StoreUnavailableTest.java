package io.usageplans.servlet;

import static io.usageplans.servlet.TutorialScenarioTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import io.usageplans.config.PlanFile;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A store that cannot answer (a cluster down): each plan's failMode decides, over real HTTP. */
class StoreUnavailableTest {

    static final String CLOSED_KEY = "closed-plan-key-0123456789";
    static final String OPEN_KEY = "open-plan-key-0123456789";

    private static final String PLANS = """
            plans:
              - name: strict
                quota: { limit: 3, period: DAY }
                apiStages: [ { stage: test } ]
              - name: lenient
                failMode: OPEN
                quota: { limit: 3, period: DAY }
                apiStages: [ { stage: test } ]
            apiKeys:
              - name: strict-customer
                value: closed-plan-key-0123456789
                plans: [strict]
              - name: lenient-customer
                value: open-plan-key-0123456789
                plans: [lenient]
            """;

    /** The local store, until it is switched "down": then every decision times out, as a lost cluster's would. */
    static final class FailingStore implements UsageStore {
        final LocalUsageStore local;
        volatile boolean down;

        FailingStore(MutableClock clock) {
            this.local = LocalUsageStore.create(clock, Duration.ZERO);
        }

        @Override
        public Consumption tryConsume(MeteringRequest request) {
            if (down) {
                throw new UsageStoreUnavailableException("no answer within 500 ms", null);
            }
            return local.tryConsume(request);
        }

        @Override
        public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
            local.refund(request, planBucket, methodBucket, quota);
        }

        @Override
        public void close() {
            local.close();
        }
    }

    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private final FailingStore store = new FailingStore(clock);
    @RegisterExtension
    private final LogRecorder engineLog = LogRecorder.of(UsagePlans.class).only(LogRecorder.atLeast(Level.WARNING));

    @AfterEach
    void stop() {
        store.close();
    }

    private List<String> warnings() {
        return engineLog.messages();
    }

    private UsagePlans engine(String plans) {
        return UsagePlans.builder(PlanFile.parse(plans, "plans.yaml")).stage("test").clock(clock).store(store)
                .discoverListeners(false).build();
    }

    @Test
    void aPlanThatFailsClosedAnswers503WithRetryAfterOneAndChargesNothing() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            store.down = true;
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = server.get("/pets", CLOSED_KEY);
                assertEquals(503, r.statusCode());
                assertEquals("{\"message\":\"Service Unavailable\"}", r.body());
                assertEquals("1", header(r, "Retry-After"));
                assertFalse(r.headers().firstValue("RateLimit").isPresent(), "the store gave no numbers");
            }
            assertEquals(5, engine.failedClosedCount());

            store.down = false;
            HttpResponse<String> back = server.get("/pets", CLOSED_KEY);
            assertEquals(200, back.statusCode());
            assertEquals("\"strict-day\";r=2;t=43200", header(back, "RateLimit"), "none of the 503s was counted");
        }
    }

    @Test
    void theUnavailableResponseCanBeConfigured() throws Exception {
        String plans = PLANS + """
                responses:
                  unavailable:
                    status: 502
                    body: '{"error":"${message}","retryAfter":${retryAfter},"plan":"${plan}"}'
                    headers: { X-Usage-Store: down }
                """;
        try (UsagePlans engine = engine(plans); TestServer server = TestServer.withEngine(engine)) {
            store.down = true;
            HttpResponse<String> r = server.get("/pets", CLOSED_KEY);
            assertEquals(502, r.statusCode());
            assertEquals("{\"error\":\"Service Unavailable\",\"retryAfter\":1,\"plan\":\"strict\"}", r.body());
            assertEquals("1", header(r, "Retry-After"));
            assertEquals("down", header(r, "X-Usage-Store"));
        }
    }

    @Test
    void aPlanThatFailsOpenLetsRequestsThroughAndLogsAtMostOnceInTenSeconds() throws Exception {
        try (UsagePlans engine = engine(PLANS); TestServer server = TestServer.withEngine(engine)) {
            store.down = true;
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = server.get("/pets", OPEN_KEY);
                assertEquals(200, r.statusCode(), "request " + i);
                assertFalse(r.headers().firstValue("RateLimit").isPresent(), "passed unmetered");
            }
            assertEquals(1, warnings().size(), String.join("\n", warnings()));
            assertTrue(warnings().get(0).startsWith("usage-plans: the store could not answer (no answer within 500 ms); plan "
                    + "lenient fails open: GET /pets for key open…6789 (further such lines are suppressed for 10 s"),
                    warnings().get(0));

            clock.advance(Duration.ofMillis(9_999));
            assertEquals(200, server.get("/pets", OPEN_KEY).statusCode());
            assertEquals(1, warnings().size(), String.join("\n", warnings()));

            clock.advance(Duration.ofMillis(1));
            assertEquals(200, server.get("/pets", OPEN_KEY).statusCode());
            assertEquals(2, warnings().size(), "ten seconds after the first line, the next one: " + warnings());
            assertTrue(warnings().get(1).endsWith("counts: 7 open, 0 closed)"), warnings().get(1));
            assertEquals(7, engine.failedOpenCount());
        }
    }
}
