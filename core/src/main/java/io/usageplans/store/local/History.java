package io.usageplans.store.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.usageplans.spi.DailyUsage;

/**
 * Daily usage of one key on one plan, packed in one {@code long[]}: for each UTC day with usage, oldest first, the
 * day, the units used that day, and the quota counter at the day's last change. One array of 3 longs per day keeps an
 * active key's history at 40 bytes for its first day. Days older than the retention are dropped when a day is added.
 */
final class History {

    static final int STRIDE = 3;

    private History() {
    }

    /** {@code history} with {@code units} more on {@code day} and the quota counter set; may return a new array. */
    static long[] add(long[] history, long day, long units, long quotaUsed, int reportDays) {
        int n = history.length;
        if (n > 0 && history[n - STRIDE] == day) {
            history[n - STRIDE + 1] += units;
            history[n - STRIDE + 2] = quotaUsed;
            return history;
        }
        if (n > 0 && day < history[n - STRIDE]) { // a request that read the clock before the last one: its own day
            for (int i = n - STRIDE; i >= 0; i -= STRIDE) {
                if (history[i] == day) {
                    history[i + 1] += units;
                }
            }
            return history;
        }
        int keepFrom = 0;
        while (keepFrom < n && history[keepFrom] < day - reportDays) {
            keepFrom += STRIDE;
        }
        long[] grown = Arrays.copyOfRange(history, keepFrom, n + STRIDE);
        int at = grown.length - STRIDE;
        grown[at] = day;
        grown[at + 1] = units;
        grown[at + 2] = quotaUsed;
        return grown;
    }

    /** Takes {@code units} back from {@code day}; sets the day's quota counter unless {@code quotaUsed} is negative. */
    static void giveBack(long[] history, long day, long units, long quotaUsed) {
        for (int i = history.length - STRIDE; i >= 0; i -= STRIDE) {
            if (history[i] == day) {
                history[i + 1] = Math.max(0, history[i + 1] - units);
                if (quotaUsed >= 0 && i == history.length - STRIDE) {
                    history[i + 2] = quotaUsed;
                }
                return;
            }
        }
    }

    static List<DailyUsage> read(long[] history, long fromDay, long toDay) {
        List<DailyUsage> days = new ArrayList<>();
        for (int i = 0; i < history.length; i += STRIDE) {
            if (history[i] >= fromDay && history[i] <= toDay) {
                days.add(new DailyUsage(history[i], history[i + 1], history[i + 2]));
            }
        }
        return days;
    }

    /** The last day with usage, or {@link Long#MIN_VALUE} when there is none. */
    static long lastDay(long[] history) {
        return history.length == 0 ? Long.MIN_VALUE : history[history.length - STRIDE];
    }
}
