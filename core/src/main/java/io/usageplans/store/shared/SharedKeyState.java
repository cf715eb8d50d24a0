package io.usageplans.store.shared;

import java.util.Arrays;

import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.AllowancePolicy;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;

/**
 * Everything one key on one plan needs in a shared store, in one entry: its token buckets (plan and methods), its
 * quota counter, its allowances out in lease mode, and its daily usage for reports; and the arithmetic that decides,
 * settles, refunds and updates it. A clustered store keeps one per state key and changes it atomically where the key
 * lives (Hazelcast: an entry processor on the owner; Infinispan: compare-and-set on the primary owner), so that every
 * grid answers alike; the Redis store's Lua script is the same arithmetic. Subclasses add how their grid stores it.
 * Buckets refill continuously (greedy), as Bucket4j's do locally. Not thread-safe: one change at a time.
 */
public class SharedKeyState {

    protected static final long NANOS_PER_MILLI = 1_000_000L;
    protected static final long MILLIS_PER_DAY = 86_400_000L;

    protected String[] bucketIds = new String[0];
    protected long[] capacities = new long[0];
    protected long[] nanosToFill = new long[0];
    protected double[] tokens = new double[0];
    protected long[] lastRefillNanos = new long[0];
    protected long quotaStartMillis = Long.MIN_VALUE;
    protected long quotaUsed;
    protected long[] usageDays = new long[0];
    protected long[] usageCounts = new long[0];
    /** Per usage day: the quota counter of that day's period at the day's last change (0 without a quota). */
    protected long[] usageQuotaUsed = new long[0];
    /** Plan tokens granted to members as allowances and not yet settled: the plan bucket refills up to capacity less these. */
    protected long leasedTokens;
    /** After this time no member spends the allowances granted so far, and {@link #leasedTokens} lapse. */
    protected long leaseDeadlineNanos;

    /** The state of a key no request used yet. */
    public SharedKeyState() {
    }

    /** A deep copy of {@code other}'s state. */
    protected SharedKeyState(SharedKeyState other) {
        bucketIds = other.bucketIds.clone();
        capacities = other.capacities.clone();
        nanosToFill = other.nanosToFill.clone();
        tokens = other.tokens.clone();
        lastRefillNanos = other.lastRefillNanos.clone();
        quotaStartMillis = other.quotaStartMillis;
        quotaUsed = other.quotaUsed;
        usageDays = other.usageDays.clone();
        usageCounts = other.usageCounts.clone();
        usageQuotaUsed = other.usageQuotaUsed.clone();
        leasedTokens = other.leasedTokens;
        leaseDeadlineNanos = other.leaseDeadlineNanos;
    }

    /** Whether {@code other} holds the same state, field by field (what a compare-and-set compares). */
    protected boolean sameStateAs(SharedKeyState o) {
        return quotaStartMillis == o.quotaStartMillis && quotaUsed == o.quotaUsed
                && Arrays.equals(bucketIds, o.bucketIds) && Arrays.equals(capacities, o.capacities)
                && Arrays.equals(nanosToFill, o.nanosToFill) && Arrays.equals(tokens, o.tokens)
                && Arrays.equals(lastRefillNanos, o.lastRefillNanos) && Arrays.equals(usageDays, o.usageDays)
                && Arrays.equals(usageCounts, o.usageCounts) && Arrays.equals(usageQuotaUsed, o.usageQuotaUsed)
                && leasedTokens == o.leasedTokens && leaseDeadlineNanos == o.leaseDeadlineNanos;
    }

    /** Units (requests times their cost) allowed on {@code epochDay} (UTC), kept for the usage report. */
    public long usedOn(long epochDay) {
        for (int i = 0; i < usageDays.length; i++) {
            if (usageDays[i] == epochDay) {
                return usageCounts[i];
            }
        }
        return 0;
    }

    /** Requests counted in the quota period that started at {@code startMillis}. */
    public long quotaUsedIn(long startMillis) {
        return quotaStartMillis == startMillis ? quotaUsed : 0;
    }

    /**
     * Decides one request at {@code nowNanos}: quota first, then the method bucket, then the plan bucket, and
     * consumes from all of them or from none. Whether the state must be written is {@link Outcome#changed}.
     */
    public Outcome decide(BucketSpec plan, BucketSpec method, QuotaWindow quota, long nowNanos, int reportDays, long cost) {
        boolean reshaped = enterPeriod(quota);
        reshaped |= reshapes(plan) || reshapes(method);
        int p = plan == null ? -1 : bucket(plan, nowNanos);
        int m = method == null ? -1 : bucket(method, nowNanos);
        // a rejection leaves the state as it was (below), so that the owner, which may hold the stored object itself
        // (OBJECT in-memory format), and its backups, which only see allowed decisions, never drift apart
        double planTokens = p < 0 ? 0 : tokens[p];
        long planRefill = p < 0 ? 0 : lastRefillNanos[p];
        double methodTokens = m < 0 ? 0 : tokens[m];
        long methodRefill = m < 0 ? 0 : lastRefillNanos[m];
        refill(p, nowNanos);
        capForAllowances(p, nowNanos);
        refill(m, nowNanos);
        Verdict verdict = Verdict.ALLOWED;
        long retry = 0;
        if (quota != null && quotaUsed + cost > quota.limit()) {
            verdict = Verdict.QUOTA_EXCEEDED;
        } else if (m >= 0 && tokens[m] < cost) {
            verdict = Verdict.METHOD_THROTTLED;
            retry = nanosFor(m, cost - tokens[m]);
        } else if (p >= 0 && tokens[p] < cost) {
            verdict = Verdict.PLAN_THROTTLED;
            retry = nanosFor(p, cost - tokens[p]);
        }
        if (verdict == Verdict.ALLOWED) {
            if (m >= 0) {
                tokens[m] -= cost;
            }
            if (p >= 0) {
                tokens[p] -= cost;
            }
            if (quota != null) {
                quotaUsed += cost;
            }
            countUsage(Math.floorDiv(nowNanos / NANOS_PER_MILLI, MILLIS_PER_DAY), reportDays, cost, quota == null ? 0 : quotaUsed);
        }
        Consumption consumption = new Consumption(verdict,
                p < 0 ? 0 : (long) Math.floor(tokens[p]), p < 0 ? 0 : nanosFor(p, capacities[p] - tokens[p]),
                m < 0 ? 0 : (long) Math.floor(tokens[m]), m < 0 ? 0 : nanosFor(m, capacities[m] - tokens[m]),
                quotaUsed, retry);
        if (verdict == Verdict.ALLOWED || reshaped) {
            return new Outcome(consumption, true); // a new bucket, a new throttle shape or a new quota period is kept
        }
        if (p >= 0) {
            tokens[p] = planTokens;
            lastRefillNanos[p] = planRefill;
        }
        if (m >= 0) {
            tokens[m] = methodTokens;
            lastRefillNanos[m] = methodRefill;
        }
        return new Outcome(consumption, false);
    }

    /**
     * Settles one member's allowance and grants more, as {@link io.usageplans.spi.UsageStore#settle} says: spent and
     * returned units stop being outstanding, returned ones go back to the plan bucket, the quota (same period) and the
     * day's usage, then {@link AllowancePolicy#grant} decides the new grant, taken from the bucket and counted at once.
     */
    public AllowanceGrant settle(AllowanceChange change, int reportDays) {
        long now = change.nowNanos();
        QuotaWindow quota = change.quota();
        if (quota != null && quotaStartMillis == Long.MIN_VALUE) {
            // only decisions move the counter to another period (a settlement may carry a member's earlier plan); a
            // state that has none yet starts it
            quotaStartMillis = quota.startMillis();
            quotaUsed = 0;
        }
        // a settlement made under another shape of the plan throttle (the plan changed since, or this member has not
        // heard of the change yet) gives its units back to the bucket as it is now, and is granted nothing
        BucketSpec spec = change.planBucket();
        int p = spec == null ? -1 : indexOf(spec.id());
        boolean sameShape = p < 0 || (capacities[p] == spec.capacity() && nanosToFill[p] == spec.nanosToFill());
        if (spec != null && p < 0) {
            p = bucket(spec, now);
        }
        if (p >= 0) {
            if (now > leaseDeadlineNanos) {
                leasedTokens = 0;
            }
            leasedTokens = Math.max(0, leasedTokens - change.spent() - change.returned());
            refill(p, now);
            capForAllowances(p, now);
        }
        boolean samePeriod = quota != null && quota.startMillis() == quotaStartMillis;
        long returned = change.returned();
        long day = Math.floorDiv(now / NANOS_PER_MILLI, MILLIS_PER_DAY);
        if (returned > 0) {
            if (p >= 0) {
                tokens[p] = Math.min(capacities[p], tokens[p] + returned);
                capForAllowances(p, now);
            }
            if (samePeriod) {
                quotaUsed = Math.max(0, quotaUsed - returned);
            }
            if (quota == null || samePeriod) { // units of a period that is over stay in that period's days
                takeBackUsage(day, returned, quota == null ? -1 : quotaUsed);
            }
        }
        long tokensLeft = p < 0 ? Long.MAX_VALUE : (long) Math.floor(tokens[p]);
        long quotaRemaining = quota == null ? Long.MAX_VALUE : samePeriod ? quota.limit() - quotaUsed : 0;
        long granted = sameShape ? AllowancePolicy.grant(change.wanted(), tokensLeft, quotaRemaining) : 0;
        if (granted > 0) {
            if (p >= 0) {
                tokens[p] -= granted;
                leasedTokens += granted;
                leaseDeadlineNanos = Math.max(leaseDeadlineNanos, now + change.holdNanos());
            }
            if (quota != null) {
                quotaUsed += granted;
            }
            countUsage(day, reportDays, granted, quota == null ? 0 : quotaUsed);
        }
        return new AllowanceGrant(granted, p < 0 ? 0 : (long) Math.floor(tokens[p]),
                p < 0 ? 0 : nanosFor(p, capacities[p] - tokens[p]), quota == null ? 0 : quotaUsed);
    }

    /** The plan bucket holds at most its capacity less the tokens members hold as allowances (until those lapse). */
    private void capForAllowances(int p, long nowNanos) {
        if (p < 0 || leasedTokens <= 0 || nowNanos > leaseDeadlineNanos) {
            return;
        }
        double most = Math.max(0, capacities[p] - leasedTokens);
        if (tokens[p] > most) {
            tokens[p] = most;
        }
    }

    private void takeBackUsage(long day, long units, long quotaCounter) {
        for (int i = usageDays.length - 1; i >= 0; i--) {
            if (usageDays[i] == day) {
                usageCounts[i] = Math.max(0, usageCounts[i] - units);
                if (quotaCounter >= 0 && i == usageDays.length - 1) {
                    usageQuotaUsed[i] = quotaCounter;
                }
                return;
            }
        }
    }

    /** Gives back what an allowed request took, for the limits named; buckets are capped at their capacity. */
    public void refund(BucketSpec plan, BucketSpec method, QuotaWindow quota, long nowNanos, long cost,
                boolean planBucket, boolean methodBucket, boolean quotaUnits) {
        if (planBucket && plan != null) {
            giveBack(plan.id(), nowNanos, cost);
            capPlan(plan, nowNanos);
        }
        if (methodBucket && method != null) {
            giveBack(method.id(), nowNanos, cost);
        }
        if (quotaUnits && quota != null && quotaStartMillis == quota.startMillis()) {
            quotaUsed = Math.max(0, quotaUsed - cost);
        }
        if (quotaUnits) {
            long day = Math.floorDiv(nowNanos / NANOS_PER_MILLI, MILLIS_PER_DAY);
            for (int i = usageDays.length - 1; i >= 0; i--) {
                if (usageDays[i] == day) {
                    usageCounts[i] = Math.max(0, usageCounts[i] - cost);
                    if (quota != null && i == usageDays.length - 1) {
                        usageQuotaUsed[i] = quotaUsed;
                    }
                    break;
                }
            }
        }
    }

    /** AWS's UpdateUsage on the owner: changes the counter of period {@code window} and notes it in today's usage. */
    public long updateQuota(QuotaWindow window, io.usageplans.spi.QuotaUpdate update, long nowNanos, int reportDays) {
        enterPeriod(window);
        if (window.startMillis() == quotaStartMillis) {
            quotaUsed = update.applyTo(quotaUsed);
            countUsage(Math.floorDiv(nowNanos / NANOS_PER_MILLI, MILLIS_PER_DAY), reportDays, 0, quotaUsed);
        }
        return quotaUsed;
    }

    /** The recorded days from {@code fromDay} to {@code toDay} (UTC epoch days), oldest first. */
    public java.util.List<io.usageplans.spi.DailyUsage> daily(long fromDay, long toDay) {
        java.util.List<io.usageplans.spi.DailyUsage> days = new java.util.ArrayList<>();
        for (int i = 0; i < usageDays.length; i++) {
            if (usageDays[i] >= fromDay && usageDays[i] <= toDay) {
                days.add(new io.usageplans.spi.DailyUsage(usageDays[i], usageCounts[i], usageQuotaUsed[i]));
            }
        }
        return days;
    }

    private void giveBack(String id, long nowNanos, long cost) {
        for (int i = 0; i < bucketIds.length; i++) {
            if (bucketIds[i].equals(id)) {
                refill(i, nowNanos);
                tokens[i] = Math.min(capacities[i], tokens[i] + cost);
            }
        }
    }

    /** Caps the plan bucket {@code plan} for outstanding allowances (after a refund filled it). */
    public void capPlan(BucketSpec plan, long nowNanos) {
        if (plan == null) {
            return;
        }
        for (int i = 0; i < bucketIds.length; i++) {
            if (bucketIds[i].equals(plan.id())) {
                capForAllowances(i, nowNanos);
            }
        }
    }

    /** How long the entry must live: until its buckets are full, its quota period is over, and its usage is reported. */
    public long ttlMillis(long nowNanos, QuotaWindow quota, int reportDays) {
        long nowMillis = nowNanos / NANOS_PER_MILLI;
        long until = nowMillis;
        for (int i = 0; i < bucketIds.length; i++) {
            until = Math.max(until, nowMillis + nanosFor(i, capacities[i] - tokens[i]) / NANOS_PER_MILLI + 1);
        }
        if (leasedTokens > 0) { // outstanding allowances cap the bucket until they lapse
            until = Math.max(until, leaseDeadlineNanos / NANOS_PER_MILLI + 1);
        }
        if (quota != null && quotaUsed != 0) { // below 0 after an extension, which must last the period too
            until = Math.max(until, quota.endMillis());
        }
        if (usageDays.length > 0) {
            long lastDay = usageDays[usageDays.length - 1];
            until = Math.max(until, (lastDay + 1 + reportDays) * MILLIS_PER_DAY);
        }
        return Math.max(1_000L, until - nowMillis); // grids keep TTLs in whole seconds (Hazelcast) or need one > 0
    }

    /**
     * Moves the counter to {@code quota}'s period when that is a new one, and says whether it did: a later period, or
     * one that started earlier and is not over when the counted one started (the plan's period or offset changed). A
     * period that ended when the counted one started is not: a request that read the clock just before midnight
     * counts in the new day. A changed limit alone is the same period: it applies to the counter as it is.
     */
    private boolean enterPeriod(QuotaWindow quota) {
        if (quota == null || quota.startMillis() == quotaStartMillis
                || (quota.startMillis() < quotaStartMillis && quota.endMillis() <= quotaStartMillis)) {
            return false;
        }
        quotaStartMillis = quota.startMillis();
        quotaUsed = 0;
        return true;
    }

    private int indexOf(String id) {
        for (int i = 0; i < bucketIds.length; i++) {
            if (bucketIds[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether deciding with {@code spec} adds a bucket or gives one a new shape (the catalog changed its throttle). */
    private boolean reshapes(BucketSpec spec) {
        if (spec == null) {
            return false;
        }
        for (int i = 0; i < bucketIds.length; i++) {
            if (bucketIds[i].equals(spec.id())) {
                return capacities[i] != spec.capacity() || nanosToFill[i] != spec.nanosToFill();
            }
        }
        return true;
    }

    private int bucket(BucketSpec spec, long nowNanos) {
        for (int i = 0; i < bucketIds.length; i++) {
            if (bucketIds[i].equals(spec.id())) {
                if (capacities[i] != spec.capacity() || nanosToFill[i] != spec.nanosToFill()) {
                    reshape(i, spec, nowNanos);
                }
                return i;
            }
        }
        int n = bucketIds.length;
        bucketIds = Arrays.copyOf(bucketIds, n + 1);
        capacities = Arrays.copyOf(capacities, n + 1);
        nanosToFill = Arrays.copyOf(nanosToFill, n + 1);
        tokens = Arrays.copyOf(tokens, n + 1);
        lastRefillNanos = Arrays.copyOf(lastRefillNanos, n + 1);
        bucketIds[n] = spec.id();
        capacities[n] = spec.capacity();
        nanosToFill[n] = spec.nanosToFill();
        tokens[n] = spec.capacity();
        lastRefillNanos[n] = nowNanos;
        return n;
    }

    /**
     * The catalog changed this throttle: the tokens carry over. What refilled until now counts at the old rate, the
     * new rate from now on; a lower burst caps the tokens at once, a higher one adds the difference at once (Bucket4j's
     * {@code TokensInheritanceStrategy.ADDITIVE}), capped at the new burst.
     */
    private void reshape(int i, BucketSpec spec, long nowNanos) {
        refill(i, nowNanos);
        long before = capacities[i];
        capacities[i] = spec.capacity();
        nanosToFill[i] = spec.nanosToFill();
        double carried = spec.capacity() > before ? tokens[i] + (spec.capacity() - before) : tokens[i];
        tokens[i] = Math.min(spec.capacity(), carried);
        lastRefillNanos[i] = Math.max(lastRefillNanos[i], nowNanos);
    }

    private void refill(int i, long nowNanos) {
        if (i < 0 || nowNanos <= lastRefillNanos[i]) {
            return;
        }
        double added = (double) (nowNanos - lastRefillNanos[i]) * capacities[i] / nanosToFill[i];
        tokens[i] = Math.min(capacities[i], tokens[i] + added);
        lastRefillNanos[i] = nowNanos;
    }

    private long nanosFor(int i, double missingTokens) {
        return missingTokens <= 0 ? 0 : (long) Math.ceil(missingTokens * nanosToFill[i] / capacities[i]);
    }

    private void countUsage(long epochDay, int reportDays, long units, long quotaCounter) {
        if (reportDays == 0) {
            return;
        }
        int n = usageDays.length;
        if (n > 0 && usageDays[n - 1] == epochDay) {
            usageCounts[n - 1] += units;
            usageQuotaUsed[n - 1] = quotaCounter;
            return;
        }
        if (n > 0 && usageDays[n - 1] > epochDay) { // a request that read the clock before the last one: its own day
            for (int i = n - 1; i >= 0; i--) {
                if (usageDays[i] == epochDay) {
                    usageCounts[i] += units;
                }
            }
            return;
        }
        int keepFrom = 0;
        while (keepFrom < n && usageDays[keepFrom] < epochDay - reportDays) {
            keepFrom++;
        }
        long[] days = Arrays.copyOfRange(usageDays, keepFrom, n + 1);
        long[] counts = Arrays.copyOfRange(usageCounts, keepFrom, n + 1);
        long[] quotaCounters = Arrays.copyOfRange(usageQuotaUsed, keepFrom, n + 1);
        days[days.length - 1] = epochDay;
        counts[counts.length - 1] = units;
        quotaCounters[quotaCounters.length - 1] = quotaCounter;
        usageDays = days;
        usageCounts = counts;
        usageQuotaUsed = quotaCounters;
    }

    /**
     * A decision and whether the state changed: allowed requests are written (and replicated), and so are the first
     * use of a bucket, a new throttle shape and a new quota period; a rejection otherwise leaves the state as it was.
     */
    public record Outcome(Consumption consumption, boolean changed) {
    }
}
