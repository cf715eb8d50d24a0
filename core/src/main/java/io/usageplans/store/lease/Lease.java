package io.usageplans.store.lease;

import java.util.Objects;
import java.util.Queue;

import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.MeteringRequest;

/**
 * What this member holds for one key and plan: spendable units of one shape (plan throttle and quota period), what it
 * spent and saw since it last settled, and the shared state it last heard of, for the RateLimit fields. Every method
 * runs under this object's lock; requests and the settling thread meet only here.
 */
final class Lease {

    final String stateKey;
    private BucketSpec spec;
    private QuotaWindow window;
    private long units;
    /** The member spends nothing of its units at or after this time (the store forgets them then). */
    private long deadlineNanos;
    private long spentSinceSettle;
    /** Allowed requests (from units or from the store) since the last settlement round. */
    private long demand;
    private long lastUseNanos;
    private long sharedPlanTokens;
    private long sharedQuotaUsed;
    /** Where units of an earlier shape (the plan or the period changed) wait to be given back at the next round. */
    private final Queue<AllowanceChange> giveBack;
    /** Removed from the member's map: requests go to the store and make a new lease. */
    private boolean removed;

    Lease(String stateKey, Queue<AllowanceChange> giveBack) {
        this.stateKey = stateKey;
        this.giveBack = giveBack;
    }

    /**
     * Decides {@code request} from the units held, or returns null when they cannot: then the store decides. Units are
     * spent only on requests of the limits they were granted under: a request with another plan throttle or quota
     * (the plan changed, or a new period began) sends them back at the next round, and the store decides it exactly.
     */
    synchronized Consumption take(MeteringRequest request) {
        long cost = request.cost();
        long now = request.nowNanos();
        if (removed) {
            return null;
        }
        if (!Objects.equals(spec, request.planBucket()) || !Objects.equals(window, request.quota())) {
            reshape(request.planBucket(), request.quota(), now);
            return null;
        }
        if (units < cost || now >= deadlineNanos) {
            return null;
        }
        units -= cost;
        spentSinceSettle += cost;
        demand += cost;
        lastUseNanos = now;
        long planTokens = spec == null ? 0 : Math.min(spec.capacity(), sharedPlanTokens + units);
        return new Consumption(Verdict.ALLOWED, planTokens, spec == null ? 0 : spec.nanosToFull(planTokens), 0, 0,
                window == null ? 0 : Math.max(0, sharedQuotaUsed - units), 0);
    }

    /** Notes a request the store allowed: demand for an allowance, and the shared state it reported. */
    synchronized void allowedByStore(MeteringRequest request, Consumption consumption) {
        if (!Objects.equals(spec, request.planBucket()) || !Objects.equals(window, request.quota())) {
            reshape(request.planBucket(), request.quota(), request.nowNanos());
        }
        demand += request.cost();
        lastUseNanos = Math.max(lastUseNanos, request.nowNanos());
        sharedPlanTokens = consumption.planTokens();
        sharedQuotaUsed = consumption.quotaUsed();
    }

    /** Units held that count in {@code quota}'s period (for quota reads that subtract what this member has not spent). */
    synchronized long unitsIn(QuotaWindow quota) {
        return Objects.equals(window, quota) ? units : 0;
    }

    synchronized long units() {
        return units;
    }

    /**
     * Adds to {@code round} what this lease settles now, taking returned units out of reach first. An idle lease (no request for one interval) gives everything back and leaves the member's map.
     */
    synchronized void settle(long now, LeasingUsageStore.Round round) {
        boolean idle = round.closing || now - lastUseNanos >= round.intervalNanos();
        if (idle) {
            removed = true;
            round.remove(this);
            long returning = units;
            units = 0;
            if (returning > 0 || spentSinceSettle > 0) {
                round.add(this, change(now, returning, 0, round.holdNanos()));
            }
            spentSinceSettle = 0;
            demand = 0;
            return;
        }
        boolean busy = demand >= LeasingUsageStore.BUSY_REQUESTS;
        // top up while a busy key still holds less than two intervals' demand, to four intervals' worth: fewer
        // settlements per key, and its requests rarely fall through to the store between two rounds
        long wanted = busy && units < 2 * demand ? Math.min(LeasingUsageStore.MAX_WANTED,
                Math.max(LeasingUsageStore.MIN_WANTED, LeasingUsageStore.DEMAND_FACTOR * demand - units)) : 0;
        long returning = 0;
        if (units > 0 && now >= deadlineNanos - 2 * round.intervalNanos()) {
            // renew before the store forgets these units: give them back, and ask again if the key is busy
            returning = units;
            units = 0;
            wanted = busy ? Math.min(LeasingUsageStore.MAX_WANTED,
                    Math.max(LeasingUsageStore.MIN_WANTED, LeasingUsageStore.DEMAND_FACTOR * demand)) : 0;
        }
        // a key that spent from its allowance in this interval settles every round, so the shared numbers its
        // RateLimit fields start from are never more than one interval old
        if (wanted > 0 || returning > 0 || spentSinceSettle > 0) {
            round.add(this, change(now, returning, wanted, round.holdNanos()));
            spentSinceSettle = 0;
        }
        demand = 0;
    }

    /** Applies the store's answer to a change this lease made. */
    synchronized void granted(AllowanceChange change, AllowanceGrant grant, Queue<AllowanceChange> lateReturns) {
        if (grant.granted() <= 0) {
            if (Objects.equals(spec, change.planBucket()) && Objects.equals(window, change.quota())) {
                sharedPlanTokens = grant.planTokens();
                sharedQuotaUsed = grant.quotaUsed();
            }
            return;
        }
        if (removed || !Objects.equals(spec, change.planBucket()) || !Objects.equals(window, change.quota())) {
            // the key went idle or changed shape while the grant was on its way: give it back at the next round
            lateReturns.add(LeasingUsageStore.returnOf(change, grant.granted()));
            return;
        }
        units += grant.granted();
        deadlineNanos = change.nowNanos() + change.holdNanos();
        sharedPlanTokens = grant.planTokens();
        sharedQuotaUsed = grant.quotaUsed();
    }

    private void reshape(BucketSpec newSpec, QuotaWindow newWindow, long now) {
        if (units > 0 || spentSinceSettle > 0) {
            giveBack.add(new AllowanceChange(stateKey, spec, window, now, spentSinceSettle, units, 0, 0));
        }
        units = 0;
        spentSinceSettle = 0;
        spec = newSpec;
        window = newWindow;
    }

    private AllowanceChange change(long now, long returning, long wanted, long holdNanos) {
        return new AllowanceChange(stateKey, spec, window, now, spentSinceSettle, returning, wanted, holdNanos);
    }
}
