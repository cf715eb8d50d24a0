package io.usageplans.redis;

import io.usageplans.spi.UsageStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.Outcome;
import io.usageplans.FailMode;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.testing.MutableClock;
import io.usageplans.testsupport.Await;
import io.usageplans.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The Redis store as an engine uses it, on Redis's own clock, against a real redis-server. */
class RedisStoreTest {

    static final String BASIC = "demo-basic-key-0123456789";
    static final String DEV = "demo-dev-key-0123456789";
    static final String SLOW = "slow-key-0123456789abcdef";
    static final String OPEN = "fail-open-key-0123456789";
    static final String COUNTED = "counted-key-0123456789abc";

    private static RedisServer server;
    private static UnifiedJedis client;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = TestRedis.client(server, 2000);
    }

    @AfterAll
    static void stopRedis() {
        client.close();
        server.close();
    }

    static Catalog catalog() {
        return Catalog.builder().api("MyProjectAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(10).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("dev").throttle(Throttle.rateLimit(1000).burstLimit(2000)).stage("test").build())
                .plan(Plan.builder("slow").throttle(Throttle.rateLimit(1).burstLimit(5)).stage("test").build())
                .plan(Plan.builder("lenient").throttle(Throttle.rateLimit(1000).burstLimit(1000)).stage("test").failMode(FailMode.OPEN).build())
                .plan(Plan.builder("counted").quota(Quota.limit(1_000_000).period(QuotaPeriod.DAY)).stage("test").build())
                .apiKey(ApiKey.builder("counted-customer").value(COUNTED).plans("counted").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC).plans("basic").build())
                .apiKey(ApiKey.builder("dev-team").value(DEV).plans("dev").build())
                .apiKey(ApiKey.builder("slow-customer").value(SLOW).plans("slow").build())
                .apiKey(ApiKey.builder("lenient-customer").value(OPEN).plans("lenient").build())
                .build();
    }

    private static RedisUsageStore store(String prefix) {
        return RedisUsageStore.builder(client).keyPrefix(prefix).build();
    }

    private static UsagePlans engine(RedisUsageStore store, Clock clock) {
        return UsagePlans.builder(catalog()).stage("test").clock(clock).store(store).build();
    }

    @Test
    void bucketsRunOnRedisTimeSoAnApplicationServerWithAClockAMinuteAheadGetsNoRefill() {
        String prefix = "time-" + UUID.randomUUID();
        MutableClock now = MutableClock.at(java.time.Instant.now().toString());
        MutableClock aMinuteAhead = MutableClock.at(java.time.Instant.now().plus(Duration.ofMinutes(1)).toString());
        RedisUsageStore first = store(prefix);
        RedisUsageStore second = store(prefix);
        try (UsagePlans a = engine(first, now); UsagePlans b = engine(second, aMinuteAhead)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(Outcome.ALLOWED, a.decide(SLOW, "GET", "/pets").outcome(), "request " + (i + 1) + " of the burst of 5");
            }

            Decision ahead = b.decide(SLOW, "GET", "/pets");

            assertEquals(Outcome.THROTTLED, ahead.outcome(), "a clock a minute ahead would have refilled 60 tokens on its own time");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void aDecisionIsOneScriptCallAndItsKeysShareOneSlotAndNameNoKey() {
        String prefix = "slot-" + UUID.randomUUID();
        RedisUsageStore store = store(prefix);
        try (UsagePlans engine = engine(store, Clock.systemUTC())) {
            engine.decide(BASIC, "GET", "/pets"); // loads the script once
            client.sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "RESETSTAT");

            for (int i = 0; i < 5; i++) {
                assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
            }

            String stats = client.info("commandstats");
            assertTrue(stats.contains("cmdstat_evalsha:calls=5,"), stats);
            assertFalse(stats.contains("cmdstat_eval:"), "no script source sent: " + stats);
            for (String outside : List.of("cmdstat_get:", "cmdstat_hmget:", "cmdstat_multi:", "cmdstat_exec:", "cmdstat_watch:")) {
                assertFalse(stats.contains(outside), "no command outside the script: " + stats);
            }
            List<String> keys = store.redisKeys("basic-customer", "basic");
            assertEquals(Set.copyOf(keys), client.keys(prefix + ":*").stream().filter(k -> !k.contains("{keys}"))
                    .collect(java.util.stream.Collectors.toSet()));
            assertEquals(JedisClusterCRC16.getSlot(keys.get(0)), JedisClusterCRC16.getSlot(keys.get(1)), keys.toString());
            for (String key : client.keys(prefix + ":*")) {
                assertFalse(key.contains("basic-customer") || key.contains(BASIC), "no key name or value in " + key);
                if (!client.type(key).equals("hash")) {
                    continue; // the catalog's version number
                }
                String dump = String.join(" ", client.hgetAll(key).values());
                assertFalse(dump.contains(BASIC), "no key value stored in " + key);
            }
        } finally {
            store.close();
        }
    }

    @Test
    void afterRedisForgetsTheScriptTheNextDecisionSendsItAgain() {
        RedisUsageStore store = store("flush-" + UUID.randomUUID());
        try (UsagePlans engine = engine(store, Clock.systemUTC())) {
            assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
            client.scriptFlush();

            Decision next = engine.decide(BASIC, "GET", "/pets");

            assertEquals(Outcome.ALLOWED, next.outcome());
            assertTrue(next.rateLimit().contains("\"basic-day\";r=8;"), "both requests counted: " + next.rateLimit());
            assertEquals(Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
        } finally {
            store.close();
        }
    }

    @Test
    void idleStateExpiresInRedisOnceItsBucketsAreFullAgain() {
        String prefix = "expiry-" + UUID.randomUUID();
        RedisUsageStore store = store(prefix);
        try {
            BucketSpec bucket = new BucketSpec("plan", 2, 300_000_000L); // full again 150 ms after one token is taken
            MeteringRequest request = new MeteringRequest("k|p", bucket, null, null, 0);
            assertEquals(1, store.tryConsume(request).planTokens());
            String state = RedisUsageStore.builder(client).keyPrefix(prefix).build().redisKeys("k", "p").get(0);
            long ttl = client.pttl(state);
            assertTrue(ttl > 0 && ttl <= 152, "kept until the bucket is full: " + ttl + " ms");

            Await.until(() -> !client.exists(state), Duration.ofSeconds(5), "the state to expire");

            assertEquals(1, store.tryConsume(request).planTokens(), "a fresh, full bucket");
        } finally {
            store.close();
        }
    }

    @Test
    void keylessClientsAndStageBucketsKeepNoUsageHistorySoTheirStateExpiresOnceIdle() {
        String prefix = "anonymous-" + UUID.randomUUID();
        RedisUsageStore store = store(prefix);
        try {
            BucketSpec bucket = new BucketSpec("plan", 2, 300_000_000L); // full again 150 ms after one token is taken
            for (String stateKey : List.of(UsageStore.clientStateKey("127.0.0.2", "signup"),
                    UsageStore.stageStateKey("MyProjectAPI", "test", "/pets/GET"))) {
                assertEquals(1, store.tryConsume(new MeteringRequest(stateKey, bucket, null, null, 0)).planTokens());
                StateKeys keys = StateKeys.of(prefix, stateKey);
                assertFalse(client.exists(keys.days()), "no daily usage kept for " + stateKey);
                Await.until(() -> !client.exists(keys.state()), Duration.ofSeconds(5), "the state of " + stateKey + " to expire");
            }
            MeteringRequest keyed = new MeteringRequest(UsageStore.stateKey("k", "p"), bucket, null, null, 0);
            assertEquals(1, store.tryConsume(keyed).planTokens());
            assertTrue(client.exists(store.redisKeys("k", "p").get(1)), "a key's daily usage is kept for reports");
        } finally {
            store.close();
        }
    }

    @Test
    void stateWrittenByThePreviousScriptCarriesItsTokensAndCounterOverToAChangedPlan() {
        String prefix = "carry-" + UUID.randomUUID();
        RedisUsageStore store = RedisUsageStore.builder(client).keyPrefix(prefix).serverTime(false).build();
        try {
            MutableClock clock = MutableClock.at("2027-01-15T10:00:00Z");
            io.usageplans.QuotaWindow day = Quota.limit(10).period(QuotaPeriod.DAY).windowAt(clock.instant());
            // the hash as the script before plan changes left it: burst 5 at 5/s used up, 10 of 10 used today
            String state = store.redisKeys("k", "p").get(0);
            client.hset(state, Map.of("b.plan.c", "5", "b.plan.f", "1000000000", "b.plan.t", "0",
                    "b.plan.r", Long.toString(clock.nanos() / 1000), "q.s", Long.toString(day.startMillis()), "q.u", "10",
                    "q.e", Long.toString(day.endMillis())));
            io.usageplans.QuotaWindow raised = Quota.limit(20).period(QuotaPeriod.DAY).windowAt(clock.instant());

            var next = store.tryConsume(new MeteringRequest("k|p", new BucketSpec("plan", 50, 10_000_000_000L), null, raised,
                    clock.nanos()));

            assertEquals(io.usageplans.spi.Consumption.Verdict.ALLOWED, next.verdict());
            assertEquals(44, next.planTokens(), "burst 5 -> 50: the 45 added at once, less this request");
            assertEquals(11, next.quotaUsed(), "quota 10 -> 20: the day's counter goes on");
        } finally {
            store.close();
        }
    }

    @Test
    void aQuotaUpdateOfAnEarlierPeriodKeepsTheCurrentPeriodsCounterUntilThatPeriodEnds() {
        String prefix = "earlier-" + UUID.randomUUID();
        RedisUsageStore store = RedisUsageStore.builder(client).keyPrefix(prefix).serverTime(false).build();
        try {
            MutableClock clock = MutableClock.at("2027-01-16T08:00:00Z");
            io.usageplans.QuotaWindow jan15 = Quota.limit(5).period(QuotaPeriod.DAY).windowAt(java.time.Instant.parse("2027-01-15T12:00:00Z"));
            io.usageplans.QuotaWindow jan16 = Quota.limit(5).period(QuotaPeriod.DAY).windowAt(clock.instant());
            store.tryConsume(new MeteringRequest("k|p", null, null, jan16, clock.nanos()));

            store.updateQuota("k|p", jan15, io.usageplans.spi.QuotaUpdate.setUsed(0), clock.nanos());

            long ttl = client.pttl(store.redisKeys("k", "p").get(0));
            assertTrue(ttl > Duration.ofHours(15).toMillis(), "kept until 2027-01-17T00:00Z (16 h): " + ttl + " ms");
            assertEquals(1, store.quotaUsed("k|p", jan16));
        } finally {
            store.close();
        }
    }

    @Test
    void aKeyAddedOrDisabledOnOneInstanceIsEnforcedOnTheOtherWithinOneSecond() {
        String prefix = "catalog-" + UUID.randomUUID();
        RedisUsageStore first = store(prefix);
        RedisUsageStore second = store(prefix);
        String value = "added-key-0123456789abcdef";
        try (UsagePlans a = engine(first, Clock.systemUTC()); UsagePlans b = engine(second, Clock.systemUTC())) {
            assertEquals(Outcome.FORBIDDEN, b.decide(value, "GET", "/pets").outcome());

            long start = System.nanoTime();
            first.catalog().putKey(ApiKey.builder("added").value(value).plans("dev").build());
            Await.until(() -> b.decide(value, "GET", "/pets").outcome() == Outcome.ALLOWED, Duration.ofSeconds(5), "the key on b");
            long addedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Outcome.ALLOWED, a.decide(value, "GET", "/pets").outcome(), "at once on the instance that added it");

            start = System.nanoTime();
            second.catalog().setEnabled("added", false);
            Await.until(() -> a.decide(value, "GET", "/pets").outcome() == Outcome.FORBIDDEN, Duration.ofSeconds(5), "disabled on a");
            long disabledMillis = (System.nanoTime() - start) / 1_000_000;

            System.out.printf("catalog change reached the other instance in %d ms (added) and %d ms (disabled)%n", addedMillis,
                    disabledMillis);
            assertTrue(addedMillis < 1000, "added within 1 s: " + addedMillis + " ms");
            assertTrue(disabledMillis < 1000, "disabled within 1 s: " + disabledMillis + " ms");
            assertTrue(client.hget(prefix + ":{keys}", "added").contains(ApiKey.sha256Hex(value)), "the hash is shared");
            assertFalse(client.hget(prefix + ":{keys}", "added").contains(value), "never the value");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void batchesOfKeyChangesOnOneInstanceReachTheOtherWholeAndABadBatchChangesNothing() {
        String prefix = "batch-" + UUID.randomUUID();
        RedisUsageStore first = store(prefix);
        RedisUsageStore second = store(prefix);
        try (UsagePlans a = engine(first, Clock.systemUTC()); UsagePlans b = engine(second, Clock.systemUTC())) {
            int before = b.catalog().apiKeys().size();
            java.util.List<ApiKey> imported = new java.util.ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                imported.add(ApiKey.builder("bulk-" + i).value(String.format("bulk-key-%06d-0123456789", i)).plans("basic").build());
            }
            a.keyDirectory().add(imported);
            Await.until(() -> b.catalog().apiKeys().size() == before + 1_000, Duration.ofSeconds(5), "the 1,000 keys on b");

            a.keyDirectory().replaceAll(imported.subList(0, 300).stream().map(key -> key.withPlans(java.util.List.of("dev"))).toList());
            assertEquals(300, onDev(a), "at once on the instance that made the change");
            Await.until(() -> onDev(b) == 300, Duration.ofSeconds(5), "the 300 moved keys on b");
            assertEquals(Outcome.ALLOWED, b.decide("bulk-key-000299-0123456789", "GET", "/pets").outcome());

            assertEquals(java.util.List.of("bulk-998", "bulk-999"), a.keyDirectory().removeAll(java.util.List.of("bulk-998", "nobody", "bulk-999")));
            Await.until(() -> b.catalog().apiKeys().size() == before + 998, Duration.ofSeconds(5), "two keys gone on b");
            assertEquals(Outcome.FORBIDDEN, b.decide("bulk-key-000999-0123456789", "GET", "/pets").outcome());

            java.util.List<ApiKey> badPlan = java.util.List.of(imported.get(400).withPlans(java.util.List.of("dev")),
                    imported.get(401).withPlans(java.util.List.of("platinum")));
            assertThrows(io.usageplans.UsagePlansConfigException.class, () -> a.keyDirectory().replaceAll(badPlan));
            java.util.List<ApiKey> gone = java.util.List.of(imported.get(400).withPlans(java.util.List.of("dev")),
                    imported.get(999).withPlans(java.util.List.of("dev")));
            assertThrows(java.util.NoSuchElementException.class, () -> a.keyDirectory().replaceAll(gone));
            assertEquals(300, onDev(a), "nothing changed");
            assertEquals(300, onDev(b), "nothing changed");
        } finally {
            first.close();
            second.close();
        }
    }

    private static long onDev(UsagePlans engine) {
        return engine.catalog().apiKeys().stream().filter(key -> key.name().startsWith("bulk-") && key.plans().equals(java.util.List.of("dev"))).count();
    }

    @Test
    void keysAddedThroughTheCatalogComeBackAfterRedisLostItsData() {
        String prefix = "lost-" + UUID.randomUUID();
        RedisUsageStore store = store(prefix);
        String value = "kept-key-0123456789abcdef";
        try (UsagePlans engine = engine(store, Clock.systemUTC())) {
            store.catalog().putKey(ApiKey.builder("kept").value(value).plans("dev").build());

            client.del(prefix + ":{keys}", prefix + ":{keys}:v"); // what a restart without persistence does

            Await.until(() -> client.hexists(prefix + ":{keys}", "kept"), Duration.ofSeconds(5), "the catalog written back");
            assertEquals(Outcome.ALLOWED, engine.decide(value, "GET", "/pets").outcome());
        } finally {
            store.close();
        }
    }
}
