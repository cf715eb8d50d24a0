package io.usageplans.hazelcast;

import static io.usageplans.hazelcast.TestCluster.BASIC;
import static io.usageplans.hazelcast.TestCluster.PREMIUM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.UsagePlans;
import io.usageplans.manage.AdminException;
import io.usageplans.manage.CreatedKey;
import io.usageplans.manage.UsagePlansAdmin;
import io.usageplans.manage.UsageReport;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's side on a cluster of two members: what one member's admin changes, the other enforces; reports and
 * quota changes see the usage of both. Run with entry processors and with the decide-on-caller fallback.
 */
class ClusterAdminTest {

    @ParameterizedTest(name = "decide on caller: {0}")
    @ValueSource(booleans = {false, true})
    void changesMadeOnOneMemberAreEnforcedOnTheOtherAndReportsSeeBoth(boolean decideOnCaller) {
        MutableClock clock = MutableClock.at("2027-03-10T23:59:50Z");
        try (TestCluster cluster = TestCluster.start(2)) {
            List<UsagePlans> engines = new ArrayList<>();
            for (var member : cluster.members) {
                engines.add(UsagePlans.builder(TestCluster.catalog()).stage("test").clock(clock)
                        .store(HazelcastUsageStore.builder(member).timeout(Duration.ofSeconds(5)).decideOnCaller(decideOnCaller).build())
                        .build());
            }
            UsagePlans first = engines.get(0);
            UsagePlans second = engines.get(1);
            UsagePlansAdmin admin = first.admin();
            UsagePlansAdmin otherAdmin = second.admin();

            // usage on both members, on two days: 6 before midnight, 10 after (and 2 refused by the quota)
            for (int i = 0; i < 6; i++) {
                assertEquals(Outcome.ALLOWED, engines.get(i % 2).decide(BASIC, "GET", "/pets").outcome());
            }
            clock.set(Instant.parse("2027-03-11T00:00:10Z"));
            List<Outcome> nextDay = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                nextDay.add(engines.get(i % 2).decide(BASIC, "GET", "/pets").outcome());
            }
            assertEquals(10, nextDay.stream().filter(o -> o == Outcome.ALLOWED).count());
            assertEquals(Outcome.QUOTA_EXCEEDED, nextDay.get(11));

            UsageReport report = otherAdmin.usage("basic", LocalDate.parse("2027-03-10"), LocalDate.parse("2027-03-11"), "basic-customer");
            assertEquals(List.of(new UsageReport.Day(6, 4L), new UsageReport.Day(10, 0L)), report.items().get("basic-customer"));

            // extend on the first member, the second lets exactly that many more through
            assertEquals(3, admin.extendRemaining("basic", "basic-customer", 3).remaining());
            clock.advance(Duration.ofSeconds(1));
            List<Outcome> extended = List.of(second.decide(BASIC, "GET", "/pets").outcome(), first.decide(BASIC, "GET", "/pets").outcome(),
                    second.decide(BASIC, "GET", "/pets").outcome(), first.decide(BASIC, "GET", "/pets").outcome());
            assertEquals(List.of(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED, Outcome.QUOTA_EXCEEDED), extended);
            assertEquals(10, otherAdmin.resetQuota("basic", "basic-customer").remaining());
            assertEquals(Outcome.ALLOWED, first.decide(BASIC, "GET", "/pets").outcome());
            assertEquals(9, otherAdmin.quota("basic", "basic-customer").remaining());

            // keys: disable, create, rotate and import on one member; the other enforces it within moments
            admin.setEnabled("premium-customer", false);
            TestCluster.await(() -> second.decide(PREMIUM, "GET", "/pets").forbiddenReason() == ForbiddenReason.DISABLED_KEY,
                    2_000, "the second member to see the key disabled");
            admin.setEnabled("premium-customer", true);
            TestCluster.await(() -> second.decide(PREMIUM, "GET", "/pets").passes(), 2_000, "the key enabled again");

            CreatedKey created = otherAdmin.createKey("partner", "", true, List.of("premium"));
            TestCluster.await(() -> first.decide(created.value(), "GET", "/pets").passes(), 2_000, "the first member to know the new key");

            CreatedKey rotated = admin.rotate("partner", Duration.ofMinutes(5));
            TestCluster.await(() -> second.decide(rotated.value(), "GET", "/pets").passes(), 2_000, "the rotated value on the second member");
            assertEquals(Outcome.ALLOWED, second.decide(created.value(), "GET", "/pets").outcome(), "the old value during the grace period");
            clock.advance(Duration.ofMinutes(5));
            assertEquals(ForbiddenReason.UNKNOWN_KEY, second.decide(created.value(), "GET", "/pets").forbiddenReason());

            otherAdmin.importCsv("key,name,usageplanIds\nimported-key-value-0123456789,imported,basic\n");
            TestCluster.await(() -> first.decide("imported-key-value-0123456789", "GET", "/pets").passes(), 2_000,
                    "the first member to know the imported key");
            AdminException again = assertThrows(AdminException.class,
                    () -> admin.importCsv("key,name,usageplanIds\nanother-value-0123456789ab,imported,basic\n"));
            assertEquals("name", again.rows().get(0).field());

            admin.deleteKey("imported");
            TestCluster.await(() -> second.decide("imported-key-value-0123456789", "GET", "/pets").outcome() == Outcome.FORBIDDEN,
                    2_000, "the second member to forget the deleted key");
            engines.forEach(UsagePlans::close);
        }
    }
}
