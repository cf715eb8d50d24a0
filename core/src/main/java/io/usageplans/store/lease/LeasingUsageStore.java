package io.usageplans.store.lease;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStore;

/**
 * Lease mode for any clustered store that declares {@link Capability#LEASES}: this member decides the requests of a busy
 * key from an <em>allowance</em> the store granted it (plan tokens and quota units taken from the shared state when
 * granted), in memory, and settles every allowance in one batch per sync interval: what it spent, what it gives back,
 * and what it wants next. Everything else goes to the store as in exact mode.
 *
 * <ul>
 *   <li><b>Never over.</b> Granted units leave the shared bucket and count in the quota at once; while they are
 *       outstanding the shared bucket refills only up to its capacity less them. All members together admit no more
 *       than the exact path would. A member that dies takes its unspent units with it: fewer requests admitted, never
 *       more; the store forgets its tokens once their hold time passes.</li>
 *   <li><b>No lease near a limit.</b> The store grants nothing while few tokens or quota units are left
 *       ({@link io.usageplans.spi.AllowancePolicy}); then every member decides on the store, exactly.</li>
 *   <li><b>Idle members hold nothing.</b> A key with no request on this member for one interval gives its units back
 *       at the next round. A key only becomes worth an allowance once it is busy (two requests in one interval), so a
 *       key seen once costs nothing more than in exact mode.</li>
 *   <li>Requests with a method throttle, and every refund, quota read and update, go to the store.</li>
 * </ul>
 */
public final class LeasingUsageStore implements UsageStore {

    private static final System.Logger LOG = System.getLogger(LeasingUsageStore.class.getName());

    /** A key is busy, worth an allowance, after this many allowed units in one interval. */
    static final long BUSY_REQUESTS = 2;
    /** The least and most asked for one key at once. */
    static final long MIN_WANTED = 16;
    /** A busy key asks for this many intervals' demand at once. */
    static final long DEMAND_FACTOR = 4;
    static final long MAX_WANTED = 1L << 20;
    /** Units of a grant may be spent for this many intervals; a busy member renews two intervals before. */
    static final int HOLD_INTERVALS = 20;

    private final UsageStore shared;
    private final Clock clock;
    private final long intervalNanos;
    private final long holdNanos;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<AllowanceChange> giveBack = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService syncer;
    private final Object roundLock = new Object();
    private final LongAdder granted = new LongAdder();
    private final LongAdder spent = new LongAdder();
    private final LongAdder returned = new LongAdder();
    private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param shared           the clustered store; it must declare {@link Capability#LEASES}. This store closes it.
     * @param clock            the engine's clock: idle keys and hold times are measured on it
     * @param syncInterval     how often allowances are settled
     * @param syncInBackground whether a daemon thread settles every interval; without it only {@link #syncNow()} does
     */
    public LeasingUsageStore(UsageStore shared, Clock clock, Duration syncInterval, boolean syncInBackground) {
        if (!shared.can(Capability.LEASES)) {
            throw new IllegalArgumentException(shared.getClass().getName() + " grants no allowances; use cluster mode exact");
        }
        this.shared = shared;
        this.clock = clock;
        this.intervalNanos = syncInterval.toNanos();
        this.holdNanos = HOLD_INTERVALS * intervalNanos;
        if (syncInBackground) {
            syncer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "usage-plans-lease-sync");
                thread.setDaemon(true);
                return thread;
            });
            long millis = syncInterval.toMillis();
            syncer.scheduleWithFixedDelay(this::syncQuietly, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            syncer = null;
        }
    }

    /**
     * The store a clustered store provider hands the engine: {@code shared} itself in exact mode, or wrapped in lease
     * mode (settling in the background every sync interval).
     */
    public static UsageStore forMode(UsageStore shared, ClusterSettings settings, Clock clock) {
        if (settings.mode() == ClusterSettings.Mode.EXACT) {
            return shared;
        }
        return new LeasingUsageStore(shared, clock, settings.syncInterval(), true);
    }

    /** The store's abilities, less allowances (those are this member's own). */
    @Override
    public Set<Capability> capabilities() {
        Set<Capability> abilities = EnumSet.noneOf(Capability.class);
        abilities.addAll(shared.capabilities());
        abilities.remove(Capability.LEASES);
        return abilities;
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        if (request.methodBucket() != null || (request.planBucket() == null && request.quota() == null)) {
            return shared.tryConsume(request);
        }
        Lease lease = leases.get(request.stateKey());
        if (lease != null) {
            Consumption fromAllowance = lease.take(request);
            if (fromAllowance != null) {
                spent.add(request.cost());
                return fromAllowance;
            }
        }
        Consumption consumption = shared.tryConsume(request);
        if (consumption.verdict() == Consumption.Verdict.ALLOWED) {
            leases.computeIfAbsent(request.stateKey(), key -> new Lease(key, giveBack)).allowedByStore(request, consumption);
        }
        return consumption;
    }

    /**
     * Settles every allowance now, in one batch: idle keys give theirs back, busy keys report what they spent and ask
     * for more. The background thread calls this every interval; tests call it after moving the clock.
     */
    public void syncNow() {
        settleRound(false);
    }

    /** One round; a closing one gives everything back, as if every key were idle. */
    private void settleRound(boolean closing) {
        synchronized (roundLock) {
            Instant instant = clock.instant();
            Round round = new Round(instant.getEpochSecond() * 1_000_000_000L + instant.getNano(), closing);
            for (AllowanceChange change = giveBack.poll(); change != null; change = giveBack.poll()) {
                round.add(null, change);
            }
            for (Lease lease : leases.values()) {
                lease.settle(round.nowNanos, round);
            }
            if (round.changes.isEmpty()) {
                return;
            }
            List<AllowanceGrant> grants;
            try {
                grants = shared.settle(round.changes);
            } catch (RuntimeException e) {
                // What the store applied is unknown: returned units stay returned and no grant is assumed. That loses
                // units (fewer requests admitted until the store forgets them), and never admits more.
                logFailure(e);
                return;
            }
            for (int i = 0; i < grants.size(); i++) {
                AllowanceGrant grant = grants.get(i);
                granted.add(grant.granted());
                Lease lease = round.owners.get(i);
                if (lease != null) {
                    lease.granted(round.changes.get(i), grant, giveBack);
                } else if (grant.granted() > 0) {
                    giveBack.add(returnOf(round.changes.get(i), grant.granted()));
                }
            }
        }
    }

    /** A change that gives back {@code units} of {@code change}'s shape, asking for nothing. */
    static AllowanceChange returnOf(AllowanceChange change, long units) {
        return new AllowanceChange(change.stateKey(), change.planBucket(), change.quota(), change.nowNanos(), 0, units, 0, 0);
    }

    /** Units granted to, spent by and given back from this member since it started, and held now. */
    public AllowanceTotals totals() {
        long held = 0;
        for (Lease lease : leases.values()) {
            held += lease.units();
        }
        return new AllowanceTotals(granted.sum(), spent.sum(), returned.sum(), held);
    }

    /**
     * Units granted, spent and returned by one member; once settled, {@code granted == spent + returned + held}.
     *
     * @param granted  units the store granted this member
     * @param spent    units spent on allowed requests
     * @param returned units given back unspent
     * @param held     units held now
     */
    public record AllowanceTotals(long granted, long spent, long returned, long held) {
    }

    /** The clustered store this member settles with. */
    public UsageStore shared() {
        return shared;
    }

    @Override
    public <T> java.util.Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : shared.unwrap(type);
    }

    @Override
    public io.usageplans.spi.StoreHealth health() {
        return shared.health();
    }

    @Override
    public long activeKeys() {
        return shared.activeKeys();
    }

    @Override
    public String kind() {
        return shared.kind() + ", lease mode every " + intervalNanos / 1_000_000 + " ms";
    }

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        shared.refund(request, planBucket, methodBucket, quota);
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        return shared.dailyUsage(stateKey, fromEpochDay, toEpochDay);
    }

    /** The store's counter less the units this member holds unspent in that period. */
    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        long used = shared.quotaUsed(stateKey, window);
        Lease lease = leases.get(stateKey);
        return lease == null ? used : used - lease.unitsIn(window);
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        return shared.updateQuota(stateKey, window, update, nowNanos);
    }

    @Override
    public void started(io.usageplans.spi.StoreContext context) {
        shared.started(context);
    }

    /** Gives every allowance back, then closes the store. */
    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        settleRound(true);
        shared.close();
    }

    private void syncQuietly() {
        try {
            syncNow();
        } catch (RuntimeException e) {
            logFailure(e);
        }
    }

    private void logFailure(RuntimeException e) {
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last > 10_000_000_000L && lastFailureLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: could not settle allowances with the store ({0}); requests of "
                    + "busy keys are decided on the store meanwhile (further failures are not logged for 10 s)", e.toString());
        }
    }

    /** One settlement round: the changes in batch order, and the lease each came from (null for a late give-back). */
    final class Round {
        final long nowNanos;
        /** The store is closing: every lease gives everything back. */
        final boolean closing;
        final List<AllowanceChange> changes = new ArrayList<>();
        final List<Lease> owners = new ArrayList<>();

        Round(long nowNanos, boolean closing) {
            this.nowNanos = nowNanos;
            this.closing = closing;
        }

        void add(Lease lease, AllowanceChange change) {
            changes.add(change);
            owners.add(lease);
            returned.add(change.returned());
        }

        void remove(Lease lease) {
            leases.remove(lease.stateKey, lease);
        }

        long intervalNanos() {
            return intervalNanos;
        }

        long holdNanos() {
            return holdNanos;
        }
    }
}
