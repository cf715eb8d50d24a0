package io.usageplans.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.usageplans.Throttle;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Decision.ForbiddenReason;
import io.usageplans.Decision.Outcome;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator's side on the local store: reports, key operations and quota changes, seen through the next decision. */
class UsagePlansAdminTest {

    static final String BASIC_KEY = "basic-key-value-0123456789";
    static final String PREMIUM_KEY = "premium-key-value-0123456789";

    final MutableClock clock = MutableClock.at("2026-11-24T23:59:00Z");
    final LocalUsageStore store = LocalUsageStore.create(clock, Duration.ZERO);
    final UsagePlans engine = UsagePlans.builder(catalog()).stage("test").clock(clock).store(store).build();
    final UsagePlansAdmin admin = engine.admin();

    static Catalog catalog() {
        return Catalog.builder().api("shop")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(1).burstLimit(2)).quota(Quota.limit(5).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(100).burstLimit(100)).quota(Quota.limit(100).period(QuotaPeriod.DAY))
                        .stage("test").build())
                .plan(Plan.builder("weekly").quota(Quota.limit(20).period(QuotaPeriod.WEEK)).stage("test").build())
                .plan(Plan.builder("unlimited").stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(BASIC_KEY).plans("basic").build())
                .apiKey(ApiKey.builder("premium-customer").value(PREMIUM_KEY).plans("premium").build())
                .build();
    }

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    Outcome call(String key) {
        return engine.decide(key, "GET", "/pets").outcome();
    }

    @Test
    void reportCountsAllowedRequestsPerDayAndLeavesOutThrottledOnes() {
        // 23:59:00 on the 24th: a burst of 2, so the third is throttled
        assertEquals(List.of(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.THROTTLED),
                List.of(call(BASIC_KEY), call(BASIC_KEY), call(BASIC_KEY)));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));
        // past midnight: a new day and a new quota period
        clock.set(Instant.parse("2026-11-25T00:00:30Z"));
        assertEquals(List.of(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.THROTTLED),
                List.of(call(BASIC_KEY), call(BASIC_KEY), call(BASIC_KEY)));

        UsageReport report = admin.usage("basic", LocalDate.parse("2026-11-23"), LocalDate.parse("2026-11-25"), null);

        assertEquals("basic", report.usagePlanId());
        assertEquals(Map.of("basic-customer", List.of(day(0, 5), day(3, 2), day(2, 3))), report.items());
    }

    @Test
    void reportOfOneKeyHasOnlyThatKeyAndEveryDayOfTheRange() {
        call(PREMIUM_KEY);
        UsageReport report = admin.usage("premium", LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-24"), "premium-customer");
        assertEquals(Map.of("premium-customer", List.of(day(0, 100), day(0, 100), day(0, 100), day(0, 100), day(1, 99))),
                report.items());
    }

    @Test
    void aWeeklyQuotaCarriesWhatRemainsAcrossDaysWithoutUsage() {
        admin.setPlans("basic-customer", List.of("weekly"));
        clock.set(Instant.parse("2026-11-23T10:00:00Z")); // a Monday; the week started on Sunday the 22nd
        for (int i = 0; i < 4; i++) {
            assertEquals(Outcome.ALLOWED, call(BASIC_KEY));
        }
        clock.set(Instant.parse("2026-11-25T10:00:00Z"));
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));

        UsageReport report = admin.usage("weekly", LocalDate.parse("2026-11-21"), LocalDate.parse("2026-11-26"), "basic-customer");

        // Saturday the 21st is in the week before; Tuesday the 24th had no usage but 16 remained
        assertEquals(List.of(day(0, 20), day(0, 20), day(4, 16), day(0, 16), day(1, 15), day(0, 15)),
                report.items().get("basic-customer"));
    }

    @Test
    void aPlanWithoutQuotaReportsNoRemaining() {
        admin.setPlans("basic-customer", List.of("unlimited"));
        call(BASIC_KEY);
        UsageReport report = admin.usage("unlimited", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-24"), null);
        assertEquals(List.of(new UsageReport.Day(1, null)), report.items().get("basic-customer"));
    }

    @Test
    void reportRefusesBadRangesAndUnknownNames() {
        AdminException reversed = assertThrows(AdminException.class,
                () -> admin.usage("basic", LocalDate.parse("2026-11-25"), LocalDate.parse("2026-11-24"), null));
        assertEquals(AdminException.Kind.INVALID, reversed.kind());
        assertEquals("endDate", reversed.field());
        assertEquals("2026-11-24", reversed.value());

        AdminException plan = assertThrows(AdminException.class,
                () -> admin.usage("gold", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-24"), null));
        assertEquals(AdminException.Kind.NOT_FOUND, plan.kind());
        assertEquals("usagePlanId", plan.field());

        AdminException key = assertThrows(AdminException.class,
                () -> admin.usage("basic", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-24"), "nobody"));
        assertEquals(AdminException.Kind.NOT_FOUND, key.kind());
        assertEquals("nobody", key.value());

        AdminException tooLong = assertThrows(AdminException.class,
                () -> admin.usage("basic", LocalDate.parse("2025-01-01"), LocalDate.parse("2026-11-24"), null));
        assertEquals(AdminException.Kind.INVALID, tooLong.kind());
    }

    @Test
    void extendingTheRemainingQuotaLetsMoreRequestsThroughThisPeriod() {
        useUpBasicQuota();
        assertEquals(Outcome.QUOTA_EXCEEDED, call(BASIC_KEY));

        QuotaStatus extended = admin.extendRemaining("basic", "basic-customer", 2);

        assertEquals(2, extended.remaining());
        assertEquals(3, extended.used());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.QUOTA_EXCEEDED),
                List.of(call(BASIC_KEY), call(BASIC_KEY), call(BASIC_KEY)));
    }

    @Test
    void resettingTheQuotaGivesBackTheWholeLimitAndTheReportShowsIt() {
        useUpBasicQuota();
        QuotaStatus reset = admin.resetQuota("basic", "basic-customer");
        assertEquals(5, reset.remaining());
        assertEquals(Instant.parse("2026-11-25T00:00:00Z"), reset.periodEnd());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));

        UsageReport report = admin.usage("basic", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-24"), null);
        assertEquals(List.of(day(6, 4)), report.items().get("basic-customer"));
        assertEquals(1, admin.quota("basic", "basic-customer").used());
    }

    @Test
    void settingTheRemainingQuotaToOneAllowsExactlyOneMore() {
        QuotaStatus set = admin.setRemaining("basic", "basic-customer", 1);
        assertEquals(1, set.remaining());
        assertEquals(List.of(Outcome.ALLOWED, Outcome.QUOTA_EXCEEDED), List.of(call(BASIC_KEY), call(BASIC_KEY)));
        assertThrows(AdminException.class, () -> admin.setRemaining("basic", "basic-customer", -1));
        AdminException noQuota = assertThrows(AdminException.class, () -> admin.resetQuota("unlimited", "basic-customer"));
        assertEquals(AdminException.Kind.INVALID, noQuota.kind());
    }

    @Test
    void aDisabledKeyIsForbiddenAtOnceAndAnEnabledOneWorksAgain() {
        admin.setEnabled("basic-customer", false);
        Decision refused = engine.decide(BASIC_KEY, "GET", "/pets");
        assertEquals(Outcome.FORBIDDEN, refused.outcome());
        assertEquals(ForbiddenReason.DISABLED_KEY, refused.forbiddenReason());
        admin.setEnabled("basic-customer", true);
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));
    }

    @Test
    void aKeyMovedToAnotherPlanGetsThatPlansLimitsOnItsNextRequest() {
        useUpBasicQuota();
        admin.setPlans("basic-customer", List.of("premium"));
        Decision moved = engine.decide(BASIC_KEY, "GET", "/pets");
        assertEquals(Outcome.ALLOWED, moved.outcome());
        assertEquals("premium", moved.planName());
        AdminException unknown = assertThrows(AdminException.class, () -> admin.setPlans("basic-customer", List.of("gold")));
        assertEquals("gold", unknown.value());
    }

    @Test
    void aRotatedKeysOldValueWorksUntilTheGracePeriodEnds() {
        CreatedKey rotated = admin.rotate("basic-customer", Duration.ofMinutes(10));

        assertEquals(Outcome.ALLOWED, call(rotated.value()));
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));
        assertEquals(Instant.parse("2026-11-25T00:09:00Z"), rotated.key().previousValidUntil());
        clock.advance(Duration.ofMinutes(10));
        Decision old = engine.decide(BASIC_KEY, "GET", "/pets");
        assertEquals(Outcome.FORBIDDEN, old.outcome());
        assertEquals(ForbiddenReason.UNKNOWN_KEY, old.forbiddenReason());
        assertEquals(Outcome.ALLOWED, call(rotated.value()));
    }

    @Test
    void rotatingWithoutGraceEndsTheOldValueAtOnce() {
        CreatedKey rotated = admin.rotate("basic-customer", Duration.ZERO);
        assertEquals(Outcome.FORBIDDEN, call(BASIC_KEY));
        assertEquals(Outcome.ALLOWED, call(rotated.value()));
        assertNull(rotated.key().previousValidUntil());
    }

    @Test
    void aCreatedKeyWorksAtOnceAndOnlyItsHashIsKept() {
        CreatedKey created = admin.createKey("new-customer", "from the admin API", true, List.of("basic"));

        assertEquals(UsagePlansAdmin.GENERATED_LENGTH, created.value().length());
        assertEquals(Outcome.ALLOWED, call(created.value()));
        assertFalse(created.toString().contains(created.value()));
        assertFalse(created.key().toString().contains(created.value()));
        assertEquals(created.key(), admin.key("new-customer"));
        AdminException twice = assertThrows(AdminException.class, () -> admin.createKey("new-customer", "", true, List.of("basic")));
        assertEquals(AdminException.Kind.CONFLICT, twice.kind());
    }

    @Test
    void aDeletedKeyIsUnknownAtOnce() {
        admin.deleteKey("basic-customer");
        assertEquals(Outcome.FORBIDDEN, call(BASIC_KEY));
        assertEquals(AdminException.Kind.NOT_FOUND, assertThrows(AdminException.class, () -> admin.deleteKey("basic-customer")).kind());
    }

    @Test
    void csvImportAddsEveryKeyOfAGoodFile() {
        String csv = "Name,key,description,Enabled,usageplanIds\r\n"
                + "partner-a,partner-a-value-0123456789,\"Partner A, Ltd.\",true,basic\r\n"
                + "partner-b,partner-b-value-0123456789,\"says \"\"hi\"\"\",FALSE,\"premium\"\r\n"
                + "\r\n";

        List<ApiKey> imported = admin.importCsv(csv);

        assertEquals(List.of("partner-a", "partner-b"), imported.stream().map(ApiKey::name).toList());
        assertEquals("Partner A, Ltd.", admin.key("partner-a").description());
        assertEquals("says \"hi\"", admin.key("partner-b").description());
        assertEquals(Outcome.ALLOWED, call("partner-a-value-0123456789"));
        assertEquals(Outcome.FORBIDDEN, call("partner-b-value-0123456789")); // imported disabled
    }

    @Test
    void csvImportOfManyBadRowsCountsThemAllAndKeepsTheFirstHundred() {
        StringBuilder csv = new StringBuilder("key,name\n");
        for (int i = 0; i < 5_000; i++) {
            csv.append("short,name-").append(i).append('\n');
        }

        AdminException refused = assertThrows(AdminException.class, () -> admin.importCsv(csv.toString()));

        assertEquals(100, refused.rows().size());
        assertEquals(2, refused.rows().get(0).row());
        assertEquals(101, refused.rows().get(99).row());
        assertTrue(refused.getMessage().startsWith("nothing was imported: 5000 problems; line 2 key: "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("; and 4990 more"), refused.getMessage());
        assertEquals(10, refused.getMessage().split("; line ").length - 1, refused.getMessage());
        assertEquals(2, admin.keys().size());
    }

    @Test
    void csvImportWithBadRowsImportsNothingAndNamesEachRow() {
        String csv = "key,name,enabled,usageplanIds\n"
                + "good-value-0123456789abc,good,true,basic\n"
                + "short,too-short,true,basic\n"
                + "other-value-0123456789abc,bad-flag,maybe,basic\n"
                + "third-value-0123456789abc,bad-plan,true,gold\n"
                + "fourth-value-0123456789ab,basic-customer,true,basic\n";

        AdminException refused = assertThrows(AdminException.class, () -> admin.importCsv(csv));

        List<String> rows = new ArrayList<>();
        refused.rows().forEach(r -> rows.add(r.row() + " " + r.field() + " " + r.value()));
        assertEquals(List.of("3 key …", "4 enabled maybe", "5 usageplanIds gold", "6 name basic-customer"), rows);
        assertTrue(refused.getMessage().startsWith("nothing was imported: 4 problems"), refused.getMessage());
        assertEquals(AdminException.Kind.INVALID, refused.kind());
        assertEquals(Outcome.FORBIDDEN, call("good-value-0123456789abc"));
        assertEquals(2, admin.keys().size());
    }

    @Test
    void csvImportNeedsTheKeyAndNameColumns() {
        AdminException refused = assertThrows(AdminException.class, () -> admin.importCsv("name,plans\nx,basic\n"));
        assertEquals(List.of("plans", "key"), refused.rows().stream().map(AdminException.RowError::field).toList());
        assertThrows(AdminException.class, () -> admin.importCsv("key,name\n\"open,x\n"));
    }

    @Test
    void historySurvivesTheEvictionOfIdleState() {
        call(PREMIUM_KEY);
        clock.set(Instant.parse("2026-11-26T12:00:00Z"));
        assertEquals(1, store.evictIdle());

        UsageReport report = admin.usage("premium", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-24"), null);
        assertEquals(List.of(day(1, 99)), report.items().get("premium-customer"));
        call(PREMIUM_KEY); // state comes back with its history
        report = admin.usage("premium", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-26"), null);
        assertEquals(List.of(day(1, 99), day(0, 100), day(1, 99)), report.items().get("premium-customer"));
    }

    @Test
    void historyOlderThanTheRetentionIsDropped() {
        UsagePlans shortMemory = UsagePlans.builder(catalog()).stage("test").clock(clock).usageReportDays(2).build();
        UsagePlansAdmin shortAdmin = shortMemory.admin();
        shortMemory.decide(PREMIUM_KEY, "GET", "/pets");
        clock.set(Instant.parse("2026-11-28T12:00:00Z"));
        shortMemory.decide(PREMIUM_KEY, "GET", "/pets");
        UsageReport report = shortAdmin.usage("premium", LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-28"), null);
        assertEquals(List.of(day(0, 100), day(0, 100), day(0, 100), day(0, 100), day(1, 99)), report.items().get("premium-customer"));
        shortMemory.close();
    }

    @Test
    void listenersAndCountersSeeEveryMeteredDecisionWithItsReason() {
        List<String> heard = new ArrayList<>();
        engine.addListener((decision, stage, method, path) -> heard.add(decision.outcome() + " " + decision.planName() + " "
                + decision.forbiddenReason() + " " + stage + " " + method + " " + path));
        call(BASIC_KEY);
        call(BASIC_KEY);
        call(BASIC_KEY);
        call("unknown-key-value-0123456789");
        call(null);

        assertEquals(List.of("ALLOWED basic null test GET /pets", "ALLOWED basic null test GET /pets",
                "THROTTLED basic null test GET /pets", "FORBIDDEN null UNKNOWN_KEY test GET /pets",
                "FORBIDDEN null MISSING_KEY test GET /pets"), heard);
        assertEquals(2L, engine.counters().byPlan().get("basic").get(Outcome.ALLOWED));
        assertEquals(1L, engine.counters().byPlan().get("basic").get(Outcome.THROTTLED));
        assertEquals(1L, engine.counters().rejectionsByKey().get("basic-customer").get(Outcome.THROTTLED));
        assertEquals(Map.of(ForbiddenReason.UNKNOWN_KEY, 1L, ForbiddenReason.MISSING_KEY, 1L), engine.counters().forbiddenByReason());
    }

    @Test
    void aFailingListenerDoesNotChangeTheDecision() {
        engine.addListener((decision, stage, method, path) -> {
            throw new IllegalStateException("listener down");
        });
        assertEquals(Outcome.ALLOWED, call(BASIC_KEY));
    }

    private void useUpBasicQuota() {
        for (int i = 0; i < 5; i++) {
            assertEquals(Outcome.ALLOWED, call(BASIC_KEY), "request " + (i + 1));
            clock.advance(Duration.ofSeconds(1));
        }
    }

    private static UsageReport.Day day(long used, long remaining) {
        return new UsageReport.Day(used, remaining);
    }
}
