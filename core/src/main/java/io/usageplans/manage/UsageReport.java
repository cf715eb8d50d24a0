package io.usageplans.manage;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * AWS's GetUsage: for one plan and a range of UTC days, for each key, one {@link Day} per day of the range, oldest
 * first.
 *
 * @param usagePlanId the plan's name
 * @param startDate   the first day, inclusive
 * @param endDate     the last day, inclusive
 * @param items       per key name, one entry per day of the range
 */
public record UsageReport(String usagePlanId, LocalDate startDate, LocalDate endDate, Map<String, List<Day>> items) {

    /**
     * One key on one day.
     *
     * @param used      units counted that day (throttled and refused requests are not)
     * @param remaining the quota left at the end of that day in its period, or null when the plan has no quota
     */
    public record Day(long used, Long remaining) {
    }

    /**
     * One key's days, as {@link UsagePlansAdmin#usageByKey} hands them out one key at a time.
     *
     * @param keyId the key's name
     * @param days  one entry per day of the range, oldest first
     */
    public record KeyDays(String keyId, List<Day> days) {
    }
}
