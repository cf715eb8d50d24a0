package io.usageplans.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The state model under the OBJECT in-memory format, where the owner's entry processor changes the stored object
 * itself and backups replay only the decisions that were written: a rejection must leave the state exactly as it was.
 */
class KeyUsageTest {

    private static final long SECOND = 1_000_000_000L;
    private static final BucketSpec PLAN = new BucketSpec("plan", 2, 2 * SECOND); // 1 per second, burst 2
    private static final QuotaWindow DAY = new QuotaWindow(3, 0, 86_400_000L);

    @Test
    void aThrottledRequestLeavesTheStateAsItWasSoOwnerAndBackupAgree() {
        KeyUsage owner = new KeyUsage();
        assertTrue(owner.decide(PLAN, null, DAY, SECOND, 90, 1).changed());
        assertTrue(owner.decide(PLAN, null, DAY, SECOND, 90, 1).changed());
        KeyUsage backup = owner.copy();

        KeyUsage.Outcome rejected = owner.decide(PLAN, null, DAY, SECOND + SECOND / 4, 90, 1);
        assertEquals(Verdict.PLAN_THROTTLED, rejected.consumption().verdict());
        assertFalse(rejected.changed(), "not written, so not replayed on the backup");
        assertEquals(backup, owner, "the owner's object is unchanged too");

        // a second later both grant the same token
        assertEquals(Verdict.ALLOWED, owner.decide(PLAN, null, DAY, 2 * SECOND, 90, 1).consumption().verdict());
        assertEquals(Verdict.ALLOWED, backup.decide(PLAN, null, DAY, 2 * SECOND, 90, 1).consumption().verdict());
        assertEquals(backup, owner);
    }

    @Test
    void aRejectionThatStartsANewQuotaPeriodIsWritten() {
        KeyUsage usage = new KeyUsage();
        for (int i = 0; i < 3; i++) {
            usage.decide(null, null, DAY, SECOND, 90, 1);
        }
        assertEquals(Verdict.QUOTA_EXCEEDED, usage.decide(null, null, DAY, SECOND, 90, 1).consumption().verdict());
        KeyUsage.Outcome nextDay = usage.decide(null, null, new QuotaWindow(0, 86_400_000L, 2 * 86_400_000L), SECOND, 90, 1);
        assertEquals(Verdict.QUOTA_EXCEEDED, nextDay.consumption().verdict());
        assertTrue(nextDay.changed(), "the new period's counter is kept");
        assertEquals(0, usage.quotaUsedIn(DAY.startMillis()), "the state moved to the new period");
    }

    @Test
    void aSettleBatchRunAgainOnANewOwnerReturnsNothingTwice() {
        BucketSpec big = new BucketSpec("plan", 1000, 1000 * SECOND);
        QuotaWindow quota = new QuotaWindow(100_000, 0, 86_400_000L);
        java.util.Map.Entry<String, KeyUsage> entry = new java.util.AbstractMap.SimpleEntry<>("k", null);
        new Settle(java.util.List.of(new io.usageplans.spi.AllowanceChange("k", big, quota, SECOND, 0, 0, 100, 10 * SECOND)), 90)
                .process(entry);
        Settle giveBack = new Settle(java.util.List.of(
                new io.usageplans.spi.AllowanceChange("k", big, quota, SECOND, 20, 80, 0, 10 * SECOND)), 90);

        giveBack.process(entry);
        KeyUsage once = entry.getValue().copy();
        long[] again = giveBack.process(entry); // Hazelcast's retry after the owner died: the same batch, the same id

        assertEquals(20, once.quotaUsedIn(quota.startMillis()), "100 granted, 80 returned");
        assertEquals(once, entry.getValue(), "the retry changed nothing");
        assertEquals(0, again[0], "and granted nothing");
    }

    @Test
    void configureKeepsTheStateMapAsObjectsUnlessAnotherFormatIsNamed() {
        assertEquals(InMemoryFormat.OBJECT, HazelcastUsageStore.configure(new Config())
                .getMapConfig(HazelcastUsageStore.STATE_MAP).getInMemoryFormat());
        Config native_ = new Config();
        native_.getMapConfig(HazelcastUsageStore.STATE_MAP).setInMemoryFormat(InMemoryFormat.NATIVE);
        assertEquals(InMemoryFormat.NATIVE, HazelcastUsageStore.configure(native_)
                .getMapConfig(HazelcastUsageStore.STATE_MAP).getInMemoryFormat());
    }
}
