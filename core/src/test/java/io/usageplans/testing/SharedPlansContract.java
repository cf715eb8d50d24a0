package io.usageplans.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.SharedPlans;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every clustered store promises about the plans its members share: a plan changed on one member is enforced
 * on every other within 1 s, a member that starts later runs the changed plans, a member with a new plan file replaces
 * them (when they fit the shared keys), changes are compare-and-set and validated before anything is written, and a
 * document a member cannot read is ignored. Each store runs it with members on real grids over loopback.
 */
public abstract class SharedPlansContract {

    protected static final String BASIC = "shared-plans-basic-key-0123456789";
    protected static final String PREMIUM = "shared-plans-premium-key-0123456789";

    /** A grid of the test's own (unique names), on which each {@link #start} is a member of its own. */
    protected interface Grid extends AutoCloseable {

        /** An engine on the next member of the grid (a member that joins now, where the grid can), on {@code planFile}. */
        UsagePlans start(Catalog planFile, Clock clock) throws Exception;

        /** The shared plans document as the grid holds it. */
        String document();

        /** Overwrites the shared plans document, as a member of another version might. */
        void write(String document);

        @Override
        void close();
    }

    /** A new grid, shared with no other test. */
    protected abstract Grid grid() throws Exception;

    /** The store's name in the figures printed. */
    protected abstract String storeName();

    protected final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private final List<UsagePlans> engines = new ArrayList<>();
    private final LogRecorder sharedPlansLog = LogRecorder.of(SharedPlans.class).only(LogRecorder.atLeast(Level.WARNING));
    private Grid grid;

    @BeforeEach
    void startGrid() throws Exception {
        sharedPlansLog.start();
        grid = grid();
    }

    @AfterEach
    void stopGrid() {
        sharedPlansLog.close();
        engines.forEach(UsagePlans::close);
        grid.close();
    }

    /** The warnings and errors so far, each as "LEVEL message". */
    private List<String> logged() {
        return sharedPlansLog.records().stream().map(record -> record.getLevel() + " " + LogRecorder.message(record)).toList();
    }

    /** The plan file of these tests: basic (burst 5, 1000 a day), premium, and a key on each. */
    protected static Catalog planFile(String source, int basicBurst, boolean withGold) {
        Catalog.Builder file = Catalog.builder().api("SharedPlansAPI").source(source)
                .plan(Plan.builder("basic").description("the basic plan").throttle(Throttle.rateLimit(10).burstLimit(basicBurst))
                        .quota(Quota.limit(1000).period(QuotaPeriod.DAY)).stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(20).burstLimit(40)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC).plans("basic").build())
                .apiKey(ApiKey.builder("premium-customer").value(PREMIUM).plans("premium").build());
        if (withGold) {
            file.plan(Plan.builder("gold").throttle(Throttle.rateLimit(100).burstLimit(200)).stage("test").build());
        }
        return file.build();
    }

    private UsagePlans start(Catalog planFile) throws Exception {
        UsagePlans engine = grid.start(planFile, clock);
        engines.add(engine);
        return engine;
    }

    private static int burst(UsagePlans engine, String plan) {
        Optional<Plan> found = engine.planOnStage(plan);
        return found.isPresent() && found.get().throttle() != null ? found.get().throttle().burstLimit() : -1;
    }

    private static Plan withBurst(Plan plan, int burst) {
        return Plan.builder(plan.name()).description(plan.description()).throttle(Throttle.rateLimit(plan.throttle().rateLimit())
                .burstLimit(burst)).quota(plan.quota()).stage("test").build();
    }

    /** Waits for {@code condition} at most {@code millis}, polling; returns the milliseconds it took. */
    private static long await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            Thread.sleep(2);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void planChangeOnOneMemberReachesTheOtherWithinOneSecond() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        assertEquals("\"basic-burst\";q=5;w=1", b.decide(BASIC, "GET", "/pets").rateLimitPolicy().split(", ")[0]);

        long start = System.nanoTime();
        Plan changed = a.planDirectory().update("basic", plan -> withBurst(plan, 50));
        assertEquals(50, changed.throttle().burstLimit());
        assertEquals(50, burst(a, "basic"), "at once on the member that made the change");
        long millis = await(() -> burst(b, "basic") == 50, 1_000, "the other member runs burst 50");
        long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("SharedPlansContract[" + storeName() + "]: a plan change reached the other member " + millis
                + " ms after the change returned (" + total + " ms after it began)");

        Decision decided = b.decide(BASIC, "GET", "/pets");
        assertTrue(decided.passes());
        assertEquals("\"basic-burst\";q=50;w=5", decided.rateLimitPolicy().split(", ")[0]);
        assertEquals("the basic plan", b.catalog().plan("basic").orElseThrow().description(), "nothing else of the plan changed");
        assertEquals(List.of("basic", "premium"), b.planDirectory().plans().stream().map(Plan::name).toList());
    }

    @Test
    void memberJoiningLaterStartsOnTheChangedPlans() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        a.planDirectory().update("basic", plan -> withBurst(plan, 50));
        a.planDirectory().create(Plan.builder("gold").throttle(Throttle.rateLimit(100).burstLimit(200)).stage("test").build());

        UsagePlans later = start(planFile("usage-plans.yaml", 5, false)); // the same plan file, as after a restart
        assertEquals(50, burst(later, "basic"), "the changed plan, not its plan file's");
        assertEquals(200, burst(later, "gold"), "a plan created at run time");
        assertEquals("\"basic-burst\";q=50;w=5", later.decide(BASIC, "GET", "/pets").rateLimitPolicy().split(", ")[0]);
        assertEquals(50, burst(a, "basic"));
        assertEquals(List.of(), logged(), "adopting the cluster's plans is not worth a warning");
    }

    @Test
    void memberWithANewPlanFileReplacesTheClustersPlans() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        a.planDirectory().update("basic", plan -> withBurst(plan, 50));

        UsagePlans b = start(planFile("usage-plans-v2.yaml", 7, true)); // a new deployment
        assertEquals(7, burst(b, "basic"));
        assertEquals(200, burst(b, "gold"));
        await(() -> burst(a, "basic") == 7 && burst(a, "gold") == 200, 1_000, "the first member runs the new file's plans");
        assertEquals(List.of("WARNING usage-plans: plan file usage-plans-v2.yaml differs from the one the cluster runs; its "
                + "plans replace the cluster's"), logged().stream().map(line -> line.replaceFirst(" \\(revision.*", "")).toList());

        UsagePlans c = start(planFile("usage-plans-v2.yaml", 7, true)); // another member of the new deployment
        assertEquals(7, burst(c, "basic"));
        assertEquals(1, logged().size(), "the same file again replaces nothing: " + logged());
    }

    @Test
    void memberWithANewPlanFileThatDoesNotFitTheSharedKeysRunsTheClustersPlans() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        a.planDirectory().update("basic", plan -> withBurst(plan, 50));
        Catalog withoutPremium = Catalog.builder().api("SharedPlansAPI").source("usage-plans-v3.yaml")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(9)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC).plans("basic").build()).build();

        UsagePlans b = start(withoutPremium);
        assertEquals(50, burst(b, "basic"), "the cluster's plans: premium-customer still needs premium");
        assertEquals(40, burst(b, "premium"));
        assertTrue(b.decide(PREMIUM, "GET", "/pets").passes());
        assertEquals(50, burst(a, "basic"));
        assertEquals(1, logged().size(), () -> logged().toString());
        String error = logged().get(0);
        assertTrue(error.startsWith("SEVERE usage-plans: plan file usage-plans-v3.yaml differs from the one the cluster runs, "
                + "but its plans cannot replace the cluster's"), error);
        assertTrue(error.contains("apiKeys[premium-customer]") && error.contains("unknown plan 'premium'"), error);
    }

    @Test
    void removingAPlanKeysStillUseFailsAndChangesNothing() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        String before = grid.document();

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> b.planDirectory().remove("premium"));
        assertEquals("plans[premium]", e.entry());
        assertTrue(e.getMessage().contains("keys still use plan 'premium': premium-customer"), e.getMessage());
        assertEquals(before, grid.document(), "nothing written");
        assertTrue(a.decide(PREMIUM, "GET", "/pets").passes());
        assertTrue(b.decide(PREMIUM, "GET", "/pets").passes());
        assertEquals(List.of("basic", "premium"), b.planDirectory().plans().stream().map(Plan::name).toList());

        // an invalid change is refused the same way: a quota alert needs a quota
        assertThrows(UsagePlansConfigException.class, () -> a.planDirectory().update("premium",
                plan -> Plan.builder("premium").throttle(plan.throttle()).stage("test")
                        .alerts(io.usageplans.Alerts.quota(80)).build()));
        assertEquals(before, grid.document(), "nothing written");

        // once no key uses it, it goes, on both members
        a.keyDirectory().remove("premium-customer");
        await(() -> b.catalog().apiKeys().size() == 1, 1_000, "the key removal reached the other member");
        b.planDirectory().remove("premium");
        await(() -> a.planOnStage("premium").isEmpty(), 1_000, "the plan is gone on the first member");
        assertEquals(List.of("basic"), a.planDirectory().plans().stream().map(Plan::name).toList());
    }

    @Test
    void concurrentUpdatesFromTwoMembersToDifferentFieldsBothSurvive() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        int rounds = 15;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<?> bursts = two.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    a.planDirectory().update("basic", plan -> withBurst(plan, plan.throttle().burstLimit() + 1));
                }
                return null;
            });
            Future<?> quotas = two.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    b.planDirectory().update("basic", plan -> Plan.builder("basic").description(plan.description())
                            .throttle(plan.throttle()).quota(Quota.limit(plan.quota().limit() + 1).period(QuotaPeriod.DAY))
                            .stage("test").build());
                }
                return null;
            });
            go.countDown();
            bursts.get(30, TimeUnit.SECONDS);
            quotas.get(30, TimeUnit.SECONDS);
        } finally {
            two.shutdownNow();
        }
        for (UsagePlans member : List.of(a, b)) {
            await(() -> burst(member, "basic") == 5 + rounds && member.planOnStage("basic").orElseThrow().quota().limit() == 1000 + rounds,
                    1_000, "every change of both members survives on each member");
        }
    }

    @Test
    void aKeyChangeAfterAPlanChangeKeepsThePlanChange() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        a.planDirectory().update("basic", plan -> withBurst(plan, 50));
        await(() -> burst(b, "basic") == 50, 1_000, "the other member runs burst 50");

        b.keyDirectory().add(List.of(ApiKey.builder("late-customer").value("shared-plans-late-key-0123456789").plans("basic").build()));
        a.keyDirectory().update("basic-customer", key -> key.withEnabled(true));
        await(() -> a.decide("shared-plans-late-key-0123456789", "GET", "/pets").passes(), 1_000, "the new key on the first member");

        assertEquals(50, burst(a, "basic"), "the key changes kept the plan change");
        assertEquals(50, burst(b, "basic"));
        assertEquals("\"basic-burst\";q=50;w=5",
                a.decide("shared-plans-late-key-0123456789", "GET", "/pets").rateLimitPolicy().split(", ")[0]);
    }

    @Test
    void createAndReplaceAllReachEveryMemberAndAReplaceIsOneWrite() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        b.planDirectory().create(Plan.builder("gold").throttle(Throttle.rateLimit(100).burstLimit(200)).stage("test").build());
        await(() -> burst(a, "gold") == 200, 1_000, "the created plan on the first member");
        assertThrows(IllegalArgumentException.class, () -> a.planDirectory().create(Plan.builder("gold").stage("test").build()));

        long revision = revision(grid.document());
        List<Plan> reloaded = planFile("usage-plans.yaml", 8, true).plans();
        a.planDirectory().replaceAll(reloaded);
        assertEquals(revision + 1, revision(grid.document()), "one write");
        await(() -> burst(b, "basic") == 8, 1_000, "the reloaded plans on the other member");
        assertEquals(reloaded, b.planDirectory().plans());
        assertThrows(java.util.NoSuchElementException.class, () -> b.planDirectory().update("platinum", plan -> plan));
    }

    @Test
    void aSharedDocumentThisMemberCannotReadIsLoggedAndIgnored() throws Exception {
        UsagePlans a = start(planFile("usage-plans.yaml", 5, false));
        UsagePlans b = start(planFile("usage-plans.yaml", 5, false));
        a.planDirectory().update("basic", plan -> withBurst(plan, 50));
        await(() -> burst(b, "basic") == 50, 1_000, "the other member runs burst 50");

        grid.write("usage-plans-plans/2 9 abc\n{\"plans\":[{\"name\":\"basic\",\"burstPolicy\":\"smooth\"}]}\n");
        await(() -> logged().size() >= 2, 1_000, "both members log the document they cannot read");
        assertTrue(logged().get(0).startsWith("SEVERE usage-plans: the shared plans in "), () -> logged().toString());
        assertTrue(logged().get(0).contains("cannot be read by this member") && logged().get(0).contains("usage-plans-plans/2"),
                () -> logged().toString());
        assertEquals(50, burst(a, "basic"), "the plans it had");
        assertEquals(50, burst(b, "basic"));
        assertTrue(b.decide(BASIC, "GET", "/pets").passes());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> a.planDirectory().update("basic", plan -> withBurst(plan, 60)));
        assertTrue(refused.getMessage().contains("nothing was changed"), refused.getMessage());

        // a later member starts on its plan file's plans, and writes nothing over the newer document
        UsagePlans c = start(planFile("usage-plans.yaml", 5, false));
        assertEquals(5, burst(c, "basic"));
        assertTrue(grid.document().startsWith("usage-plans-plans/2 "));
    }

    private static long revision(String document) {
        return SharedPlans.Version.decode(document).revision();
    }
}
