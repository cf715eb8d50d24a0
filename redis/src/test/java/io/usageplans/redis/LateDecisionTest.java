package io.usageplans.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.spi.UsageStore;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * A decision Redis runs only after its caller stopped waiting (the request got the plan's fail mode) charges nothing,
 * even when Redis runs it the moment after: Redis stops charging a little before the caller stops waiting.
 */
class LateDecisionTest {

    @Test
    void aDecisionRedisRunsRightAfterItsCallerGaveUpChargesNothing() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> settings = Map.of("usageplans.store", "redis", "usageplans.redis.uri", redis.uri(),
                    "usageplans.redis.timeout", "300", "usageplans.cluster.mode", "exact");
            UsageStore store = new RedisStoreProvider().create(settings::get, Clock.systemUTC(), getClass().getClassLoader());
            try (UsagePlans engine = UsagePlans.builder(RedisStoreTest.catalog()).stage("test").ownedStore(store).build()) {
                assertEquals("\"counted-day\";r=999999", remaining(engine.decide(RedisStoreTest.COUNTED, "GET", "/pets")));

                for (int round = 1; round <= 3; round++) {
                    redis.pause();
                    Decision unserved;
                    try {
                        unserved = engine.decide(RedisStoreTest.COUNTED, "GET", "/pets");
                    } finally {
                        redis.resume(); // at once: Redis runs the waiting decision a few milliseconds after its wait ended
                    }
                    assertEquals(Outcome.UNAVAILABLE, unserved.outcome(), "round " + round + ": the caller stopped waiting");

                    AtomicReference<Decision> next = new AtomicReference<>();
                    Await.until(() -> {
                        next.set(engine.decide(RedisStoreTest.COUNTED, "GET", "/pets"));
                        return next.get().outcome() == Outcome.ALLOWED;
                    }, Duration.ofSeconds(10), "metering to resume");
                    assertEquals("\"counted-day\";r=" + (999_999 - round), remaining(next.get()),
                            "round " + round + ": only the requests served are counted, not the one answered 503");
                }
            }
        }
    }

    /** The RateLimit field of the counted plan's quota, without its reset time. */
    private static String remaining(Decision decision) {
        String field = decision.rateLimit();
        assertTrue(field != null && field.contains("\"counted-day\";r="), String.valueOf(field));
        String counted = field.substring(field.indexOf("\"counted-day\""));
        return counted.substring(0, counted.indexOf(";t="));
    }
}
