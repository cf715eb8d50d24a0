package io.usageplans.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import io.usageplans.UsagePlansConfigException;

/**
 * The problems of one plan file (and its keys file) as they are found: a bad entry is reported and left out, and
 * reading goes on with the next one, so one start-up shows every mistake. At most
 * {@value UsagePlansConfigException#MAX_LISTED} are kept; the rest are only counted, so a garbage file cannot make a
 * huge message.
 */
final class Problems {

    /**
     * Thrown by a reader of an entry whose problems it has already reported: the entry is left out, and nothing
     * more is reported for it.
     */
    static final class Reported extends RuntimeException {
        static final Reported INSTANCE = new Reported();

        private Reported() {
            super(null, null, false, false);
        }
    }

    /** The problems found so far, at most {@link UsagePlansConfigException#MAX_LISTED}. */
    private final List<UsagePlansConfigException> kept = new ArrayList<>();
    /** Problems found beyond those kept: only counted. */
    private int dropped;

    /** The value {@code step} reads, or {@code null} when it found problems: those are reported, and reading goes on. */
    <T> T attempt(Supplier<T> step) {
        try {
            return step.get();
        } catch (UsagePlansConfigException e) {
            report(e);
            return null;
        } catch (Reported e) {
            return null;
        }
    }

    void report(UsagePlansConfigException e) {
        for (UsagePlansConfigException p : e.problems()) {
            if (kept.size() < UsagePlansConfigException.MAX_LISTED) {
                kept.add(p);
            } else {
                dropped++;
            }
        }
    }

    /** Counts {@code more} problems that were found, but not kept, elsewhere (by the catalog). */
    void countUnlisted(int more) {
        dropped += more;
    }

    /** How many problems were found so far. */
    int found() {
        return kept.size() + dropped;
    }

    /** Leaves the entry out when problems were found in it since {@code before}; they are reported already. */
    void failIfFound(int before) {
        if (found() > before) {
            throw Reported.INSTANCE;
        }
    }

    /**
     * Throws every problem found, if any: the plan file's ({@code source}'s) by line, then those of its keys file
     * (stable: equal lines keep their order).
     */
    void throwIfAny(String source) {
        if (kept.isEmpty()) {
            return;
        }
        List<UsagePlansConfigException> inFileOrder = new ArrayList<>(kept);
        inFileOrder.sort(Comparator.comparingInt((UsagePlansConfigException p) -> source.equals(p.source()) ? 0 : 1)
                .thenComparingInt(p -> p.line() > 0 ? p.line() : Integer.MAX_VALUE));
        if (dropped > 0) {
            throw new UsagePlansConfigException(inFileOrder, dropped, false);
        }
        UsagePlansConfigException.throwIfAny(inFileOrder);
    }

    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
