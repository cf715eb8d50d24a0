package io.usageplans.hazelcast;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.hazelcast.core.HazelcastInstance;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision.Outcome;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.store.lease.LeasingUsageStore.AllowanceTotals;
import io.usageplans.testing.MutableClock;

/**
 * One application per Hazelcast member, each with its own engine over its member's store, in the cluster mode a test
 * asks for: exact (the {@link HazelcastUsageStore} itself) or lease (a {@link LeasingUsageStore} over it that settles
 * only when the test calls {@link #syncAll()}). Time moves only through {@link #clock}.
 */
final class ClusterApps implements AutoCloseable {

    /** The two cluster modes every invariant is checked in. */
    enum Mode { EXACT, LEASE }

    static final Duration INTERVAL = Duration.ofMillis(100);
    static final String START = "2027-03-10T12:00:00Z";
    /** The start of the quota day the tests run in. */
    static final long DAY_START_MILLIS = Instant.parse("2027-03-10T00:00:00Z").toEpochMilli();

    final Mode mode;
    final MutableClock clock = MutableClock.at(START);
    final Catalog catalog;
    final List<App> apps = new ArrayList<>();

    /** One application: a member, its store, the lease layer over it (null in exact mode) and its engine. */
    record App(HazelcastInstance member, HazelcastUsageStore store, LeasingUsageStore leasing, UsagePlans engine) {

        Outcome decide(String apiKey) {
            return engine.decide(apiKey, "GET", "/x").outcome();
        }

        /** What this member was granted, spent, returned and holds; all zero in exact mode. */
        AllowanceTotals totals() {
            return leasing == null ? new AllowanceTotals(0, 0, 0, 0) : leasing.totals();
        }

        void sync() {
            if (leasing != null) {
                leasing.syncNow();
            }
        }
    }

    ClusterApps(Mode mode, Catalog catalog) {
        this.mode = mode;
        this.catalog = catalog;
    }

    /** Starts an application on {@code member}. */
    App add(HazelcastInstance member) {
        HazelcastUsageStore store = HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(10)).shareKeys(false).build();
        LeasingUsageStore leasing = mode == Mode.LEASE ? new LeasingUsageStore(store, clock, INTERVAL, false) : null;
        UsagePlans engine = UsagePlans.builder(catalog).stage("test").clock(clock).store(leasing == null ? store : leasing).build();
        App app = new App(member, store, leasing, engine);
        synchronized (apps) {
            apps.add(app);
        }
        return app;
    }

    /** Starts an application on each member. */
    static ClusterApps on(TestCluster cluster, Mode mode, Catalog catalog) {
        ClusterApps apps = new ClusterApps(mode, catalog);
        cluster.members.forEach(apps::add);
        return apps;
    }

    /** Leaves {@code app} out of rounds and of {@link #close()}: its member crashed. */
    void remove(App app) {
        synchronized (apps) {
            apps.remove(app);
        }
    }

    App app(int i) {
        synchronized (apps) {
            return apps.get(i);
        }
    }

    List<App> live() {
        synchronized (apps) {
            return new ArrayList<>(apps);
        }
    }

    /** One settlement round on every live application, as each member's sync thread would run it. */
    void syncAll() {
        live().forEach(App::sync);
    }

    /** One sync interval without traffic, then a round: every member gives back what it holds. */
    void goIdle() {
        clock.advance(INTERVAL);
        syncAll();
    }

    /** The store's quota counter of {@code keyName} on {@code plan} today, read through {@code via}. */
    static long counter(App via, String keyName, String plan) {
        KeyUsage usage = via.store().usage(keyName, plan);
        return usage == null ? 0 : usage.quotaUsedIn(DAY_START_MILLIS);
    }

    /** Units granted, spent, returned and held by all live applications together. */
    AllowanceTotals totals() {
        long granted = 0;
        long spent = 0;
        long returned = 0;
        long held = 0;
        for (App app : live()) {
            AllowanceTotals t = app.totals();
            granted += t.granted();
            spent += t.spent();
            returned += t.returned();
            held += t.held();
        }
        return new AllowanceTotals(granted, spent, returned, held);
    }

    /** A catalog of one plan and {@code keys} keys on it, named {@code <plan>-<i>} with values {@link #keyValue}. */
    static Catalog catalog(String plan, Throttle throttle, Quota quota, int keys) {
        Plan.Builder builder = Plan.builder(plan).throttle(throttle).stage("test");
        if (quota != null) {
            builder.quota(quota);
        }
        Catalog.Builder catalog = Catalog.builder().plan(builder.build());
        for (int i = 0; i < keys; i++) {
            catalog.apiKey(ApiKey.builder(plan + "-" + i).value(keyValue(plan, i)).plans(plan).build());
        }
        return catalog.build();
    }

    static String keyValue(String plan, int i) {
        return plan + "-key-" + String.format("%04d", i) + "-0123456789";
    }

    static Quota daily(long limit) {
        return Quota.limit(limit).period(QuotaPeriod.DAY);
    }

    /** Closes the engines, and the lease layers of members still alive (which gives their allowances back). */
    @Override
    public void close() {
        for (App app : live()) {
            app.engine().close();
            if (app.leasing() != null && app.member().getLifecycleService().isRunning()) {
                app.leasing().close();
            }
        }
    }
}
