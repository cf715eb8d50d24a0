package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.spi.StoreContext;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedKeys} on a grid in memory (two maps, keys and plans), with members that hear each other only when the
 * test says so: the checks, the all-or-none batch, the compare-and-set retry and the seeding that every grid's catalog
 * gets from it.
 */
class SharedKeysTest {

    private static final String BASIC_VALUE = "shared-keys-unit-basic-0123456789";
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private final List<UsagePlans> engines = new ArrayList<>();
    private final Map<String, ApiKey> grid = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> plansGrid = new ConcurrentHashMap<>();

    /** A member's catalog on the maps in memory: the records are the keys themselves. */
    private final class Member extends SharedKeys.PerEntry<ApiKey, ApiKey> {

        Member(StoreContext engine) {
            super(engine, new MapEntry(plansGrid, "plans"), "memory", "usage-plans-test-catalog");
            start();
        }

        /** What an entry listener would bring, all at once. */
        void hear() {
            resync();
        }

        @Override
        protected Map<String, ApiKey> readAll() {
            return Map.copyOf(grid);
        }

        @Override
        protected ApiKey read(String name) {
            return grid.get(name);
        }

        @Override
        protected ApiKey recordIn(ApiKey stored) {
            return stored;
        }

        @Override
        protected ApiKey recordOf(ApiKey key) {
            return key;
        }

        @Override
        protected ApiKey keyOf(ApiKey record) {
            return record;
        }

        @Override
        protected void write(String name, ApiKey record) {
            grid.put(name, record);
        }

        @Override
        protected boolean replace(String name, ApiKey stored, ApiKey next) {
            return grid.replace(name, stored, next);
        }

        @Override
        protected boolean putIfAbsent(String name, ApiKey record) {
            return grid.putIfAbsent(name, record) == null;
        }

        @Override
        protected boolean removeEntry(String name) {
            return grid.remove(name) != null;
        }

        @Override
        protected void removeListeners() {
        }
    }

    @AfterEach
    void close() {
        engines.forEach(UsagePlans::close);
    }

    private static Catalog planFile(String basicCustomersPlan) {
        return Catalog.builder().source("plans.yaml")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(5)).stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(20).burstLimit(40)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC_VALUE).plans(basicCustomersPlan).build()).build();
    }

    private static ApiKey key(String name, String plan) {
        return ApiKey.builder(name).value("shared-keys-unit-" + name + "-0123456789").plans(plan).build();
    }

    private Member member(Catalog planFile) {
        return new Member(ContextCapture.engine(planFile, clock, List.of(), engines));
    }

    private static List<String> plansOf(Member member, String key) {
        return member.keys().stream().filter(k -> k.name().equals(key)).findFirst().orElseThrow().plans();
    }

    @Test
    void theFirstMembersVersionOfAPlanFileKeyIsTheOneEveryMemberRuns() {
        Member a = member(planFile("basic"));
        Member b = member(planFile("premium"));

        assertEquals(List.of("basic"), plansOf(a, "basic-customer"));
        assertEquals(List.of("basic"), plansOf(b, "basic-customer"), "b's plan file does not replace a shared key");
    }

    @Test
    void aBatchWithANameAnotherMemberTookMeanwhileAddsNoneOfItsKeys() {
        Member a = member(planFile("basic"));
        Member b = member(planFile("basic"));
        a.add(List.of(key("taken", "basic")));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.add(List.of(key("first", "basic"), key("taken", "premium"))));
        assertEquals("usage-plans: a key named 'taken' was added meanwhile; nothing was added", e.getMessage());
        assertFalse(grid.containsKey("first"), "the key written before the clash is taken back");
        assertEquals(List.of("basic"), grid.get("taken").plans());
        assertEquals(List.of("basic-customer"), b.keys().stream().map(ApiKey::name).toList());
    }

    @Test
    void aChangeMadeOnAnotherMemberMeanwhileIsKeptByTheRetriedUpdate() {
        Member a = member(planFile("basic"));
        Member b = member(planFile("basic"));
        AtomicBoolean first = new AtomicBoolean(true);

        ApiKey changed = b.update("basic-customer", key -> {
            if (first.getAndSet(false)) {
                a.setEnabled("basic-customer", false); // between b's read and b's compare-and-set
            }
            return key.withPlans(List.of("premium"));
        });

        assertFalse(changed.enabled(), "a's change is kept");
        assertEquals(List.of("premium"), changed.plans());
        assertEquals(changed, grid.get("basic-customer"));
        assertEquals(List.of("premium"), plansOf(b, "basic-customer"), "applied on b at once");
        a.hear();
        assertEquals(List.of("premium"), plansOf(a, "basic-customer"));
    }

    @Test
    void aKeyOnAnUnknownPlanIsRefusedBeforeAnythingIsShared() {
        Member a = member(planFile("basic"));
        Map<String, ApiKey> before = Map.copyOf(grid);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.putKey(key("new", "gold")));
        assertTrue(e.getMessage().contains("unknown plan 'gold'; known plans are [basic, premium]"), e.getMessage());
        assertEquals(before, grid);
    }

    @Test
    void removingKeysCompilesThemOutAndNamesOnlyThoseThatWereThere() {
        Member a = member(planFile("basic"));
        a.add(List.of(key("one", "basic"), key("two", "premium")));

        assertEquals(List.of("one", "two"), a.removeAll(List.of("one", "gone", "two")));
        assertEquals(List.of("basic-customer"), a.keys().stream().map(ApiKey::name).toList());
        assertEquals(List.of("basic-customer"), List.copyOf(grid.keySet()));
    }
}
