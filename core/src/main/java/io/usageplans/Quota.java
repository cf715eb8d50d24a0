package io.usageplans;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * At most {@code limit} requests per calendar {@code period}, in {@code timeZone}, with the period's start
 * shifted by {@code offset} as AWS's SDK documentation defines it (WEEK: 0 = Sunday ... 6 = Saturday;
 * MONTH: 0 = the 1st ... 27 = the 28th; DAY: must be 0). AWS's API reference also describes
 * {@code offset} as "the number of requests subtracted from the given limit in the initial time period";
 * this framework does not use that meaning.
 */
public record Quota(long limit, QuotaPeriod period, int offset, ZoneId timeZone) {

    public Quota {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be a whole number of requests of at least 1, was " + limit);
        }
        Objects.requireNonNull(period, "period");
        if (offset < 0 || offset > period.maxOffset()) {
            throw new IllegalArgumentException("offset for period " + period + " must be "
                    + (period.maxOffset() == 0 ? "0" : "between 0 and " + period.maxOffset()) + ", was " + offset);
        }
        timeZone = timeZone == null ? ZoneOffset.UTC : timeZone;
    }

    /**
     * Starts a quota with its names, as the plan file gives them: {@code Quota.limit(100).period(QuotaPeriod.DAY)}, in
     * UTC with offset 0 until {@link #withTimeZone} or {@link #withOffset} say otherwise.
     */
    public static Limit limit(long requests) {
        return new Limit(requests);
    }

    /** A quota's limit, waiting for its period: {@link #period}. */
    public static final class Limit {
        private final long limit;

        private Limit(long limit) {
            this.limit = limit;
        }

        /** The quota: the limit per calendar {@code value}. */
        public Quota period(QuotaPeriod value) {
            return new Quota(limit, value, 0, ZoneOffset.UTC);
        }
    }

    public Quota withOffset(int newOffset) {
        return new Quota(limit, period, newOffset, timeZone);
    }

    public Quota withTimeZone(ZoneId zone) {
        return new Quota(limit, period, offset, zone);
    }

    /** The calendar period that contains {@code instant}. */
    public QuotaWindow windowAt(Instant instant) {
        LocalDate today = LocalDate.ofInstant(instant, timeZone);
        LocalDate start;
        LocalDate end;
        switch (period) {
            case DAY -> {
                start = today;
                end = today.plusDays(1);
            }
            case WEEK -> {
                DayOfWeek first = offset == 0 ? DayOfWeek.SUNDAY : DayOfWeek.of(offset);
                start = today.with(TemporalAdjusters.previousOrSame(first));
                end = start.plusWeeks(1);
            }
            case MONTH -> {
                int firstDay = offset + 1;
                LocalDate thisMonths = today.withDayOfMonth(firstDay);
                start = today.getDayOfMonth() >= firstDay ? thisMonths : thisMonths.minusMonths(1);
                end = start.plusMonths(1);
            }
            default -> throw new IllegalStateException("unknown period " + period);
        }
        return new QuotaWindow(limit,
                start.atStartOfDay(timeZone).toInstant().toEpochMilli(),
                end.atStartOfDay(timeZone).toInstant().toEpochMilli());
    }
}
