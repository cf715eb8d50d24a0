package io.usageplans.manage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.UsageStore;

/**
 * AWS's GetUsage: per key and UTC day, {@code [used, remaining]}, built from the daily usage the store keeps
 * ({@link UsageStore.Capability#USAGE_HISTORY}). A day without usage carries what remained in its quota period.
 */
final class UsageReports {

    /** The longest range of days one report covers. */
    static final int MAX_DAYS = 366;

    private final AdminContext context;
    private final StagePlans plans;
    private final KeyOperations keys;

    UsageReports(AdminContext context, StagePlans plans, KeyOperations keys) {
        this.context = context;
        this.plans = plans;
        this.keys = keys;
    }

    UsageReport usage(String planName, LocalDate start, LocalDate end, String keyName) {
        Map<String, List<UsageReport.Day>> items = new LinkedHashMap<>();
        for (UsageReport.KeyDays key : usageItems(planName, start, end, keyName)) {
            items.put(key.keyId(), key.days());
        }
        return new UsageReport(planName, start, end, items);
    }

    /**
     * {@link #usage}'s keys in its order (the catalog's), each read from the store only when the iteration reaches it;
     * the plan, the dates and the key are checked by this call, before anything is read.
     */
    Iterable<UsageReport.KeyDays> usageItems(String planName, LocalDate start, LocalDate end, String keyName) {
        Plan plan = plans.named(planName);
        checkRange(start, end);
        List<String> keyNames = new ArrayList<>();
        if (keyName != null) {
            keyNames.add(keys.key(keyName).name());
        } else {
            keys.keys().stream().filter(k -> k.plans().contains(planName)).forEach(k -> keyNames.add(k.name()));
        }
        if (!keyNames.isEmpty()) {
            StoreAbility.require(context.store(), UsageStore.Capability.USAGE_HISTORY, () -> null);
        }
        return () -> keyNames.stream().map(name -> new UsageReport.KeyDays(name, keyDays(plan, name, start, end))).iterator();
    }

    /**
     * The plan's keys in name order, each read from the store only when the iteration reaches it, so that an export
     * of many keys never holds them all. Everything that can be refused (plan, dates, the store's history) is checked
     * here, before the first key is read.
     */
    Iterable<UsageReport.KeyDays> usageByKey(String planName, LocalDate start, LocalDate end) {
        Plan plan = plans.named(planName);
        checkRange(start, end);
        StoreAbility.require(context.store(), UsageStore.Capability.USAGE_HISTORY, () -> null);
        List<String> keyNames = keys.keys().stream().filter(k -> k.plans().contains(planName)).map(ApiKey::name)
                .sorted().toList();
        return () -> keyNames.stream().map(name -> new UsageReport.KeyDays(name, keyDays(plan, name, start, end))).iterator();
    }

    private static void checkRange(LocalDate start, LocalDate end) {
        if (start == null) {
            throw new AdminException(Kind.INVALID, "startDate", null, "startDate is required (YYYY-MM-DD)");
        }
        if (end == null) {
            throw new AdminException(Kind.INVALID, "endDate", null, "endDate is required (YYYY-MM-DD)");
        }
        if (end.isBefore(start)) {
            throw new AdminException(Kind.INVALID, "endDate", end.toString(), "endDate is before startDate " + start);
        }
        if (end.toEpochDay() - start.toEpochDay() + 1 > MAX_DAYS) {
            throw new AdminException(Kind.INVALID, "endDate", end.toString(), "a report covers at most " + MAX_DAYS
                    + " days; this range has " + (end.toEpochDay() - start.toEpochDay() + 1));
        }
    }

    private List<UsageReport.Day> keyDays(Plan plan, String keyName, LocalDate start, LocalDate end) {
        // a week or a month of history before the range tells what remained on its first days
        long from = start.toEpochDay() - (plan.quota() == null ? 0 : 31);
        UsageStore store = context.store();
        List<DailyUsage> recorded = StoreAbility.require(store, UsageStore.Capability.USAGE_HISTORY,
                () -> store.dailyUsage(UsageStore.stateKey(keyName, plan.name()), from, end.toEpochDay()));
        return days(plan.quota(), recorded, start, end);
    }

    private static List<UsageReport.Day> days(Quota quota, List<DailyUsage> recorded, LocalDate start, LocalDate end) {
        List<UsageReport.Day> days = new ArrayList<>();
        int next = 0;
        DailyUsage last = null;
        for (long day = start.toEpochDay(); day <= end.toEpochDay(); day++) {
            while (next < recorded.size() && recorded.get(next).epochDay() <= day) {
                last = recorded.get(next++);
            }
            long used = last != null && last.epochDay() == day ? last.used() : 0;
            Long remaining = null;
            if (quota != null) {
                boolean samePeriod = last != null && periodStart(quota, last.epochDay()) == periodStart(quota, day);
                remaining = Math.max(0, quota.limit() - (samePeriod ? last.quotaUsed() : 0)); // 0 once a lowered limit is passed
            }
            days.add(new UsageReport.Day(used, remaining));
        }
        return days;
    }

    /** The start of the quota period that holds the end of UTC day {@code epochDay}. */
    private static long periodStart(Quota quota, long epochDay) {
        Instant lastMoment = LocalDate.ofEpochDay(epochDay + 1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
        return quota.windowAt(lastMoment).startMillis();
    }
}
