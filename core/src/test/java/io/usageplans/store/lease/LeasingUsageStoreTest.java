package io.usageplans.store.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.QuotaWindow;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;
import io.usageplans.store.lease.LeasingUsageStore.AllowanceTotals;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lease mode over one shared store, as two or three cluster members see it: each member is a {@link LeasingUsageStore}
 * over the same {@link LocalUsageStore} (the store a cluster shares), time moves only through the clock, and
 * allowances are settled when a test says so ({@link LeasingUsageStore#syncNow()}).
 */
class LeasingUsageStoreTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Duration INTERVAL = Duration.ofMillis(100);
    /** The tutorial's basic plan: 10/s, burst 20. */
    private static final BucketSpec BASIC = new BucketSpec("plan", 20, 2 * SECOND);
    /** 1,000 tokens, one a second. */
    private static final BucketSpec BIG_BURST = new BucketSpec("plan", 1000, 1000 * SECOND);
    /** The dev plan: 1000/s, burst 2000. */
    private static final BucketSpec DEV = new BucketSpec("plan", 2000, 2 * SECOND);

    private final MutableClock clock = new MutableClock(Instant.parse("2027-03-01T10:00:00Z"));
    private final CountingStore shared = new CountingStore(LocalUsageStore.create(clock, Duration.ZERO));
    private final List<LeasingUsageStore> members = new ArrayList<>();

    @AfterEach
    void close() {
        members.forEach(LeasingUsageStore::close);
    }

    private LeasingUsageStore member() {
        LeasingUsageStore member = new LeasingUsageStore(shared, clock, INTERVAL, false);
        members.add(member);
        return member;
    }

    private QuotaWindow daily(long limit) {
        return Quota.limit(limit).period(QuotaPeriod.DAY).windowAt(clock.instant());
    }

    private boolean allowed(UsageStore member, BucketSpec plan, QuotaWindow quota) {
        return member.tryConsume(new MeteringRequest("key", plan, null, quota, clock.nanos())).verdict() == Verdict.ALLOWED;
    }

    private void syncAll() {
        members.forEach(LeasingUsageStore::syncNow);
    }

    /** Moves past one interval without traffic and settles: every member gives back what it holds. */
    private void goIdle() {
        clock.advance(INTERVAL);
        syncAll();
    }

    @Test
    void aBusyKeyIsDecidedInMemoryOnceItHoldsAnAllowance() {
        LeasingUsageStore member = member();
        for (int i = 0; i < 10; i++) {
            assertTrue(allowed(member, DEV, null));
        }
        assertEquals(10, shared.decisions.get(), "a key is decided on the store until it is busy");

        member.syncNow();
        int before = shared.decisions.get();
        for (int i = 0; i < 40; i++) {
            assertTrue(allowed(member, DEV, null));
        }

        assertEquals(before, shared.decisions.get(), "40 requests decided from the allowance of 40 (four intervals' demand), none "
                + "on the store");
        assertEquals(1, shared.settlements.get(), "one batch for the round");
        assertEquals(new AllowanceTotals(40, 40, 0, 0), member.totals());
    }

    @Test
    void aKeySeenOnceCostsNoSettlement() {
        LeasingUsageStore member = member();
        assertTrue(allowed(member, DEV, null));

        member.syncNow();
        goIdle();

        assertEquals(0, shared.settlements.get());
        assertEquals(new AllowanceTotals(0, 0, 0, 0), member.totals());
    }

    @Test
    void twoMembersTogetherNeverAdmitMoreThanTheBurstAndGiveBackEveryUnitTheyDoNotSpend() {
        LeasingUsageStore a = member();
        LeasingUsageStore b = member();
        int admitted = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 30; i++) {
                admitted += allowed(a, BIG_BURST, null) ? 1 : 0;
                admitted += allowed(b, BIG_BURST, null) ? 1 : 0;
            }
            syncAll();
            assertTrue(admitted <= 1000, "admitted " + admitted + " by round " + round);
        }
        goIdle();
        for (LeasingUsageStore member : members) {
            AllowanceTotals totals = member.totals();
            assertEquals(0, totals.held(), "an idle member holds nothing");
            assertEquals(totals.granted(), totals.spent() + totals.returned(), "every granted unit is spent or returned: " + totals);
        }
        while (allowed(a, BIG_BURST, null)) {
            admitted++;
        }

        assertEquals(1000, admitted, "the burst, exactly, once the allowances came back (clock moved 0.1 s: no whole token)");
    }

    @Test
    void threeMembersShareABigQuotaAndCountItExactly() {
        List<LeasingUsageStore> three = List.of(member(), member(), member());
        QuotaWindow quota = daily(5000);
        int admitted = 0;
        boolean anyAllowed = true;
        while (anyAllowed) {
            anyAllowed = false;
            for (LeasingUsageStore member : three) {
                for (int i = 0; i < 70; i++) {
                    if (allowed(member, null, quota)) {
                        admitted++;
                        anyAllowed = true;
                    }
                }
            }
            syncAll();
            assertTrue(admitted <= 5000, "admitted " + admitted);
        }

        assertEquals(5000, admitted);
        assertEquals(5000, shared.quotaUsed("key", quota));
        long granted = three.stream().mapToLong(m -> m.totals().granted()).sum();
        assertTrue(granted > 1000, "most units went through allowances, granted " + granted);
    }

    @Test
    void theBasicQuotaOfTenGivesExactlyTenAcrossTwoMembersInEveryOrder() {
        String[] orders = {"AAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBB", "ABABABABABABABA", "AABBAABBAABBAAB", "ABBBBBBBBBAAAAA"};
        for (String order : orders) {
            members.forEach(LeasingUsageStore::close);
            members.clear();
            shared.reset();
            LeasingUsageStore a = member();
            LeasingUsageStore b = member();
            QuotaWindow quota = daily(10);
            int admitted = 0;
            for (int i = 0; i < order.length(); i++) {
                admitted += allowed(order.charAt(i) == 'A' ? a : b, BASIC, quota) ? 1 : 0;
                if (i % 3 == 2) {
                    syncAll();
                }
            }
            assertEquals(10, admitted, "order " + order);
        }
    }

    @Test
    void twoHundredConcurrentRequestsOverTwoMembersAgainstAQuotaOfHundredAllowExactlyHundred() throws Exception {
        LeasingUsageStore a = member();
        LeasingUsageStore b = member();
        QuotaWindow quota = daily(100);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                LeasingUsageStore member = i % 2 == 0 ? a : b;
                results.add(pool.submit(() -> {
                    start.await();
                    return allowed(member, DEV, quota);
                }));
            }
            Future<?> syncing = pool.submit(() -> {
                start.await();
                for (int i = 0; i < 20; i++) {
                    syncAll();
                }
                return null;
            });
            start.countDown();
            int admitted = 0;
            for (Future<Boolean> result : results) {
                admitted += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            syncing.get(30, TimeUnit.SECONDS);

            assertEquals(100, admitted);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anIdleMemberHoldsNothingAfterOneIntervalSoAKeyServedElsewhereIsNotRefused() {
        LeasingUsageStore a = member();
        LeasingUsageStore b = member();
        QuotaWindow quota = daily(2000);
        for (int i = 0; i < 100; i++) {
            assertTrue(allowed(a, null, quota));
        }
        a.syncNow();
        assertEquals(237, a.totals().held(), "a busy key asks for four intervals' demand (400) and gets at most an eighth of "
                + "the 1,900 left");

        goIdle();
        assertEquals(0, a.totals().held());
        int admitted = 100;
        for (int i = 0; i < 1900; i++) {
            assertTrue(allowed(b, null, quota), "request " + (admitted + 1) + " on b while the key has quota");
            admitted++;
            if (i % 50 == 49) {
                b.syncNow();
            }
        }
        assertEquals(false, allowed(b, null, quota), "request 2001");
    }

    @Test
    void quotaReadsCountWhatAMemberHoldsUnspentOnlyOnce() {
        LeasingUsageStore a = member();
        QuotaWindow quota = daily(100_000);
        for (int i = 0; i < 10; i++) {
            allowed(a, null, quota);
        }
        a.syncNow();
        Consumption fromAllowance = a.tryConsume(new MeteringRequest("key", null, null, quota, clock.nanos()));

        assertEquals(11, fromAllowance.quotaUsed(), "the RateLimit count includes this request and not the units held");
        assertEquals(11, a.quotaUsed("key", quota));
        assertEquals(50, shared.quotaUsed("key", quota), "the store counts the 40 granted units at once");
    }

    @Test
    void unitsOfAnEndedQuotaPeriodAreGivenBackAndTheNewPeriodStartsOnTheStore() {
        LeasingUsageStore a = member();
        clock.set(Instant.parse("2027-03-01T23:59:59Z"));
        QuotaWindow yesterday = daily(100_000);
        for (int i = 0; i < 10; i++) {
            allowed(a, null, yesterday);
        }
        a.syncNow();
        clock.advance(Duration.ofSeconds(2));
        QuotaWindow today = daily(100_000);
        int before = shared.decisions.get();

        assertTrue(allowed(a, null, today));
        assertEquals(before + 1, shared.decisions.get(), "the allowance of yesterday does not count today");
        a.syncNow();
        assertEquals(new AllowanceTotals(40, 0, 40, 0), a.totals(), "yesterday's 40 unspent units were given back");
        assertEquals(1, shared.quotaUsed("key", today), "and today's count holds only today's request");
    }

    @Test
    void aStoreThatCannotSettleLeavesDecisionsToTheStoreAndAdmitsNoMore() {
        shared.failSettlements = true;
        LeasingUsageStore a = member();
        for (int i = 0; i < 10; i++) {
            assertTrue(allowed(a, DEV, null));
        }

        a.syncNow();

        assertEquals(0, a.totals().held());
        assertTrue(allowed(a, DEV, null));
        assertEquals(11, shared.decisions.get(), "every request decided on the store");
    }

    @Test
    void requestsWithAMethodThrottleAreDecidedOnTheStore() {
        LeasingUsageStore a = member();
        BucketSpec method = new BucketSpec("/pets/{petId}/GET", 3, 3 * SECOND);
        for (int i = 0; i < 5; i++) {
            a.tryConsume(new MeteringRequest("key", DEV, method, null, clock.nanos()));
        }
        a.syncNow();

        assertEquals(Verdict.METHOD_THROTTLED, a.tryConsume(new MeteringRequest("key", DEV, method, null, clock.nanos())).verdict());
        assertEquals(0, a.totals().granted());
    }

    @Test
    void clusterModeAndSyncIntervalAreReadFromSettingsWithClearErrors() {
        assertEquals(ClusterSettings.defaults(), ClusterSettings.fromSettings(name -> null));
        assertEquals(new ClusterSettings(ClusterSettings.Mode.EXACT, Duration.ofMillis(50)),
                ClusterSettings.fromSettings(Map.of("usageplans.cluster.mode", " Exact ", "usageplans.cluster.sync-interval", "50")::get));

        UsagePlansConfigException mode = assertThrows(UsagePlansConfigException.class,
                () -> ClusterSettings.fromSettings(Map.of("usageplans.cluster.mode", "fast")::get));
        assertTrue(mode.getMessage().contains("usageplans.cluster.mode") && mode.getMessage().contains("'fast'"), mode.getMessage());
        UsagePlansConfigException interval = assertThrows(UsagePlansConfigException.class,
                () -> ClusterSettings.fromSettings(Map.of("usageplans.cluster.sync-interval", "100ms")::get));
        assertTrue(interval.getMessage().contains("usageplans.cluster.sync-interval") && interval.getMessage().contains("'100ms'"),
                interval.getMessage());
        UsagePlansConfigException tooLong = assertThrows(UsagePlansConfigException.class,
                () -> ClusterSettings.fromSettings(Map.of("usageplans.cluster.sync-interval", "60000")::get));
        assertTrue(tooLong.getMessage().contains("between 10 and 10000"), tooLong.getMessage());
    }

    @Test
    void theWrappedStoreIsReachedThroughUnwrapAndNamedInKind() {
        LeasingUsageStore member = member();

        assertEquals(java.util.Optional.of(member), member.unwrap(LeasingUsageStore.class));
        assertEquals(java.util.Optional.of(shared), member.unwrap(CountingStore.class));
        assertEquals(java.util.Optional.empty(), member.unwrap(String.class));
        assertEquals("counting, lease mode every 100 ms", member.kind());
    }

    @Test
    void exactModeHandsTheStoreOverUnchanged() {
        assertEquals(shared, LeasingUsageStore.forMode(shared, new ClusterSettings(ClusterSettings.Mode.EXACT, INTERVAL), clock));
    }

    /** The shared store, counting what members ask of it, able to fail settlements as an unreachable cluster would. */
    private final class CountingStore implements UsageStore {

        @Override
        public String kind() {
            return "counting";
        }

        private LocalUsageStore store;
        final AtomicInteger decisions = new AtomicInteger();
        final AtomicInteger settlements = new AtomicInteger();
        volatile boolean failSettlements;

        CountingStore(LocalUsageStore store) {
            this.store = store;
        }

        void reset() {
            store = LocalUsageStore.create(clock, Duration.ZERO);
            decisions.set(0);
            settlements.set(0);
        }

        @Override
        public java.util.Set<Capability> capabilities() {
            return store.capabilities();
        }

        @Override
        public Consumption tryConsume(MeteringRequest request) {
            decisions.incrementAndGet();
            return store.tryConsume(request);
        }

        @Override
        public List<AllowanceGrant> settle(List<AllowanceChange> changes) {
            if (failSettlements) {
                throw new UsageStoreUnavailableException("the cluster is away", null);
            }
            settlements.incrementAndGet();
            return store.settle(changes);
        }

        @Override
        public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
            store.refund(request, planBucket, methodBucket, quota);
        }

        @Override
        public long quotaUsed(String stateKey, QuotaWindow window) {
            return store.quotaUsed(stateKey, window);
        }
    }
}
