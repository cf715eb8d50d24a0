package io.usageplans.spi;

/**
 * One key's usage on one plan on one UTC day, as a store recorded it.
 *
 * @param epochDay  the UTC day, days since 1970-01-01
 * @param used      units counted on that day: allowed requests times their cost, less those given back
 * @param quotaUsed the quota counter of the period that day belonged to, at the day's last change (0 without a quota)
 */
public record DailyUsage(long epochDay, long used, long quotaUsed) {
}
