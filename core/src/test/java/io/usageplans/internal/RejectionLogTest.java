package io.usageplans.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision.Outcome;
import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rejection lines of logger io.usageplans.rejections: the first 10 per reason and minute in full, then one count. */
class RejectionLogTest {

    static final String KEY = "rejection-log-key-0123456789";
    static final String UNKNOWN = "nobody-knows-this-key-0123456789";

    private final LogRecorder rejections = LogRecorder.of(UsagePlans.REJECTIONS_LOGGER).withLoggerLevel(Level.INFO);
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private UsagePlans engine;

    @BeforeEach
    void start() {
        rejections.start();
        rejections.logger().setUseParentHandlers(false); // counted here, not printed
        Catalog catalog = Catalog.builder().api("logged")
                .plan(Plan.builder("small").quota(Quota.limit(1).period(QuotaPeriod.DAY)).stage("test").build())
                .apiKey(ApiKey.builder("customer").value(KEY).plans("small").build())
                .build();
        engine = UsagePlans.builder(catalog).stage("test").clock(clock).discoverListeners(false).build();
    }

    @AfterEach
    void stop() {
        engine.close();
        rejections.close();
        rejections.logger().setUseParentHandlers(true);
    }

    private List<String> lines() {
        return rejections.messages();
    }

    @Test
    void twentyThousandUnknownKeysWriteTenLinesThenOneLineCountingTheRestWhenTheMinuteIsOver() {
        for (int i = 0; i < 20_000; i++) {
            assertEquals(Outcome.FORBIDDEN, engine.decide(UNKNOWN, "GET", "/pets").outcome());
        }
        assertEquals(10, lines().size(), String.join("\n", lines()));
        assertEquals("usage-plans: 403 Forbidden for GET /pets on stage test: unknown API key, key nobo…6789", lines().get(0));

        clock.advance(Duration.ofSeconds(60));
        engine.decide(UNKNOWN, "GET", "/pets");

        assertEquals(12, lines().size(), String.join("\n", lines()));
        assertEquals("usage-plans: 403 Forbidden for 19990 more requests on stage test: unknown API key, in the 60 s from "
                + "2027-03-10T12:00:00Z (only the first 10 per reason and minute are logged one by one)", lines().get(10));
        assertEquals(lines().get(0), lines().get(11), "a new minute starts with lines in full again");
    }

    @Test
    void aFloodFromManyThreadsStillWritesTenLines() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        engine.decide(UNKNOWN, "GET", "/pets");
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(10, lines().size(), String.join("\n", lines()));
        engine.close();
        assertEquals(11, lines().size());
        assertTrue(lines().get(10).startsWith("usage-plans: 403 Forbidden for 19990 more requests on stage test: unknown API key, "
                + "in the 1 s from 2027-03-10T12:00:00Z"), lines().get(10));
    }

    @Test
    void eachReasonHasItsOwnTenLines() {
        for (int i = 0; i < 15; i++) {
            engine.decide(UNKNOWN, "GET", "/pets");
            engine.decide(null, "GET", "/pets");
            engine.decide(KEY, "GET", "/pets"); // the quota of 1 is used by the first
        }
        assertEquals(30, lines().size(), String.join("\n", lines()));
        assertEquals(10, lines().stream().filter(l -> l.contains(": unknown API key")).count());
        assertEquals(10, lines().stream().filter(l -> l.contains(": no API key")).count());
        assertEquals(10, lines().stream().filter(l -> l.startsWith("usage-plans: 429 Limit Exceeded for GET /pets")).count());
    }

    @Test
    void theCountOfAQuietReasonIsWrittenByTheNextRejectionOfAnyReasonAfterItsMinute() {
        for (int i = 0; i < 13; i++) {
            engine.decide(UNKNOWN, "GET", "/pets");
        }
        clock.advance(Duration.ofSeconds(75));
        engine.decide(null, "GET", "/pets");

        assertEquals(List.of(
                "usage-plans: 403 Forbidden for 3 more requests on stage test: unknown API key, in the 60 s from "
                        + "2027-03-10T12:00:00Z (only the first 10 per reason and minute are logged one by one)",
                "usage-plans: 403 Forbidden for GET /pets on stage test: no API key"), lines().subList(10, lines().size()));
    }

    @Test
    void closingTheEngineWritesTheCountNotYetLogged() {
        for (int i = 0; i < 11; i++) {
            engine.decide(UNKNOWN, "GET", "/orders");
        }
        clock.advance(Duration.ofMillis(20_500));
        engine.close();
        assertEquals("usage-plans: 403 Forbidden for 1 more request on stage test: unknown API key, in the 21 s from "
                + "2027-03-10T12:00:00Z (only the first 10 per reason and minute are logged one by one)", lines().get(lines().size() - 1));
        assertEquals(11, lines().size());
    }

    @Test
    void aRequestWithSeveralKeysIsForbiddenForThatReason() {
        Decision decision = engine.decide(UsagePlans.SEVERAL_KEYS, "GET", "/pets");
        assertEquals(Outcome.FORBIDDEN, decision.outcome());
        assertEquals(Decision.ForbiddenReason.SEVERAL_KEYS, decision.forbiddenReason());
        assertEquals(List.of("usage-plans: 403 Forbidden for GET /pets on stage test: several keys"), lines());
    }
}
