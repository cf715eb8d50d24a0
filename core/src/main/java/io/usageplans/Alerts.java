package io.usageplans;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A plan's alerts (the plan file's {@code alerts:}): the percentages of the quota whose crossing raises a
 * {@link UsageAlert}, and whether a key's first throttling in a period does. Each is raised once per key, threshold and
 * period, also across the members of a cluster. {@link #NONE}, the default, raises nothing.
 *
 * @param quotaPercents whole percentages of the quota limit, 1 to 100, ascending and without repeats
 * @param firstThrottle whether the first 429 Too Many Requests of a key in a period raises an alert
 */
public record Alerts(List<Integer> quotaPercents, boolean firstThrottle) {

    /** No alert. */
    public static final Alerts NONE = new Alerts(List.of(), false);

    public Alerts {
        List<Integer> sorted = new ArrayList<>(Objects.requireNonNullElse(quotaPercents, List.of()));
        for (Integer percent : sorted) {
            if (percent == null || percent < 1 || percent > 100) {
                throw new IllegalArgumentException("alerts.quota: a threshold must be a whole percentage from 1 to 100, was "
                        + percent);
            }
        }
        sorted.sort(null);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).equals(sorted.get(i - 1))) {
                throw new IllegalArgumentException("alerts.quota: threshold " + sorted.get(i) + " is listed twice");
            }
        }
        quotaPercents = List.copyOf(sorted);
    }

    /** Alerts at these percentages of the quota, e.g. {@code Alerts.quota(80, 100)}. */
    public static Alerts quota(int... percents) {
        List<Integer> list = new ArrayList<>();
        for (int p : percents) {
            list.add(p);
        }
        return new Alerts(list, false);
    }

    /** These alerts, and one at a key's first throttling in a period. */
    public Alerts withFirstThrottle() {
        return new Alerts(quotaPercents, true);
    }

    public boolean any() {
        return firstThrottle || !quotaPercents.isEmpty();
    }

    /** The quota count at which {@code percent} of {@code limit} is reached: rounded up, at least 1. */
    public static long threshold(long limit, int percent) {
        long whole = limit / 100 * percent; // in two parts, so that no limit overflows
        long rest = (limit % 100) * percent;
        return Math.max(1, whole + (rest + 99) / 100);
    }
}
