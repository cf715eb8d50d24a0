package io.usageplans;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Response statuses that count toward a limit, decided after the application answered: {@code 2xx}, {@code 4xx},
 * single statuses ({@code 401}) and ranges ({@code 400-499}), e.g. "count only 2xx toward the quota" or "count only
 * 401 and 403 toward this throttle". A request whose final status is not in the set gives its units back.
 */
public final class StatusSet {

    private final boolean[] counted = new boolean[600];
    private final String text;

    private StatusSet(String text) {
        this.text = text;
    }

    /** Parses "2xx", "401, 403", "400-499" or a mix; fails naming the part it cannot read. */
    public static StatusSet parse(List<String> parts) {
        StatusSet set = new StatusSet(String.join(", ", parts));
        for (String raw : parts) {
            String part = raw.trim().toLowerCase(Locale.ROOT);
            try {
                if (part.matches("[1-5]xx")) {
                    int base = (part.charAt(0) - '0') * 100;
                    set.mark(base, base + 99);
                } else if (part.matches("\\d{3}-\\d{3}")) {
                    set.mark(Integer.parseInt(part.substring(0, 3)), Integer.parseInt(part.substring(4)));
                } else if (part.matches("\\d{3}")) {
                    int status = Integer.parseInt(part);
                    set.mark(status, status);
                } else {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + raw + "' is not a status, a range or a class of statuses; "
                        + "use e.g. 2xx, 401 or 400-499");
            }
        }
        return set;
    }

    public static StatusSet parse(String commaSeparated) {
        List<String> parts = new ArrayList<>(List.of(commaSeparated.split(",")));
        return parse(parts);
    }

    private void mark(int from, int to) {
        if (from < 100 || to > 599 || from > to) {
            throw new IllegalArgumentException();
        }
        for (int s = from; s <= to; s++) {
            counted[s] = true;
        }
    }

    public boolean contains(int status) {
        return status >= 0 && status < counted.length && counted[status];
    }

    /** Sets are equal when they count the same statuses, however written ({@code 2xx} or {@code 200-299}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof StatusSet other && Arrays.equals(other.counted, counted);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counted);
    }

    @Override
    public String toString() {
        return text;
    }
}
