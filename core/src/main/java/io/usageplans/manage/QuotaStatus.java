package io.usageplans.manage;

import java.time.Instant;

import io.usageplans.QuotaPeriod;

/**
 * A key's quota on a plan in the current period.
 *
 * @param plan        the plan
 * @param key         the key's name
 * @param limit       the plan's limit per period
 * @param used        the counter: units counted this period, less any extension (may be negative after one)
 * @param remaining   {@code limit - used}, never below 0 (a limit lowered below what was used); more than the limit after an extension
 * @param period      DAY, WEEK or MONTH
 * @param periodStart when the current period started
 * @param periodEnd   when it ends and the counter starts again from 0
 */
public record QuotaStatus(String plan, String key, long limit, long used, long remaining, QuotaPeriod period,
                          Instant periodStart, Instant periodEnd) {
}
