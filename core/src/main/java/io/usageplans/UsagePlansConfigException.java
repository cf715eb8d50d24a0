package io.usageplans;

import java.util.ArrayList;
import java.util.List;

/**
 * Bad configuration, found at start-up. The message names the source (plan file, class or method), the
 * entry, the bad value and, for plan files, the line.
 *
 * <p>One exception may carry several problems (all those of one plan file, say), so that one deployment shows
 * every mistake: {@link #problems()} lists them, and the message is {@code usage-plans: N problems:} followed by
 * each problem's own message on a line of its own. {@link #source()}, {@link #entry()}, {@link #line()} and
 * {@link #problem()} then describe the first problem.
 */
public class UsagePlansConfigException extends RuntimeException {

    /** The most problems one message lists; the others are only counted ({@code ... and N more}). */
    public static final int MAX_LISTED = 100;

    private final String source;
    private final String entry;
    private final int line;
    /** The problems of a combined exception, flat; {@code null} for a single problem. */
    private final List<UsagePlansConfigException> problems;
    /** Problems counted but not kept (beyond what a reader kept); only in the message's total. */
    private final int unlisted;
    /** Whether checking stopped before every problem was found, so the total is a lower bound. */
    private final boolean atLeast;

    public UsagePlansConfigException(String source, String entry, int line, String problem) {
        super(describe(source, entry, line, problem));
        this.source = source;
        this.entry = entry;
        this.line = line;
        this.problems = null;
        this.unlisted = 0;
        this.atLeast = false;
    }

    /** A problem in a catalog built in code, or before its source is known. */
    public UsagePlansConfigException(String entry, String problem) {
        this(null, entry, 0, problem);
    }

    /**
     * Several problems reported at once, in the order given; combined exceptions among them are flattened. With
     * one problem this is that problem: the same message, source, entry and line.
     *
     * @throws IllegalArgumentException when {@code problems} is empty
     */
    public UsagePlansConfigException(List<UsagePlansConfigException> problems) {
        this(problems, 0, false);
    }

    /**
     * As {@link #UsagePlansConfigException(List)}, with {@code more} problems found but not kept (only counted), and
     * with {@code atLeast} when checking stopped before all were found.
     */
    public UsagePlansConfigException(List<UsagePlansConfigException> problems, int more, boolean atLeast) {
        this(Flat.of(problems, more, atLeast));
    }

    private UsagePlansConfigException(Flat flat) {
        super(flat.message());
        UsagePlansConfigException first = flat.problems.get(0);
        this.source = first.source;
        this.entry = first.entry;
        this.line = first.line;
        this.problems = flat.problems;
        this.unlisted = flat.more;
        this.atLeast = flat.atLeast;
    }

    /**
     * Throws the problems found, if any: the problem itself when there is one, one exception carrying them all
     * when there are several.
     */
    public static void throwIfAny(List<UsagePlansConfigException> problems) {
        if (problems == null || problems.isEmpty()) {
            return;
        }
        throw problems.size() == 1 ? problems.get(0) : new UsagePlansConfigException(problems);
    }

    /** The individual problems: this one alone, or each problem of a combined exception, in order. */
    public List<UsagePlansConfigException> problems() {
        return problems == null ? List.of(this) : problems;
    }

    /** How many problems were counted but not kept (beyond {@link #MAX_LISTED}). */
    public int unlisted() {
        return unlisted;
    }

    /** The file or class the (first) problem is in, or {@code null} for a catalog built in code. */
    public String source() {
        return source;
    }

    /** The entry of the (first) problem, e.g. {@code plans[premium].throttle.rateLimit}. */
    public String entry() {
        return entry;
    }

    /** The 1-based line in the plan file of the (first) problem, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The (first) problem without source and line, for re-throwing with them. */
    public String problem() {
        if (problems != null) {
            return problems.get(0).problem();
        }
        String full = getMessage();
        String prefix = describe(source, entry, line, "");
        return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
    }

    private static String describe(String source, String entry, int line, String problem) {
        StringBuilder message = new StringBuilder("usage-plans: ");
        if (source != null) {
            message.append(source);
            if (line > 0) {
                message.append(", line ").append(line);
            }
            message.append(": ");
        }
        if (entry != null && !entry.isEmpty()) {
            message.append(entry).append(": ");
        }
        return message.append(problem).toString();
    }

    /** Problems with the combined ones among them replaced by theirs, and how many more were only counted. */
    private record Flat(List<UsagePlansConfigException> problems, int more, boolean atLeast) {

        static Flat of(List<UsagePlansConfigException> given, int more, boolean atLeast) {
            if (given == null || given.isEmpty()) {
                throw new IllegalArgumentException("at least one problem is required");
            }
            if (more < 0) {
                throw new IllegalArgumentException("more must be 0 or more, was " + more);
            }
            List<UsagePlansConfigException> flat = new ArrayList<>(given.size());
            int counted = more;
            boolean open = atLeast;
            for (UsagePlansConfigException e : given) {
                flat.addAll(e.problems());
                counted += e.unlisted;
                open |= e.atLeast;
            }
            return new Flat(List.copyOf(flat), counted, open);
        }

        String message() {
            if (problems.size() == 1 && more == 0 && !atLeast) {
                return problems.get(0).getMessage();
            }
            int listed = Math.min(problems.size(), MAX_LISTED);
            StringBuilder message = new StringBuilder("usage-plans: ").append(atLeast ? "at least " : "")
                    .append(problems.size() + more).append(" problems:");
            for (int i = 0; i < listed; i++) {
                message.append('\n').append(problems.get(i).getMessage());
            }
            int rest = problems.size() + more - listed;
            if (rest > 0) {
                message.append("\n... and ").append(rest).append(" more").append(atLeast ? ", and perhaps others not checked" : "");
            } else if (atLeast) {
                message.append("\n... and perhaps others not checked");
            }
            return message.toString();
        }
    }
}
