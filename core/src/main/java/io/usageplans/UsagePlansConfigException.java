package io.usageplans;

/**
 * Bad configuration, found at start-up. The message names the source (plan file, class or method), the
 * entry, the bad value and, for plan files, the line.
 */
public class UsagePlansConfigException extends RuntimeException {

    private final String source;
    private final String entry;
    private final int line;

    public UsagePlansConfigException(String source, String entry, int line, String problem) {
        super(describe(source, entry, line, problem));
        this.source = source;
        this.entry = entry;
        this.line = line;
    }

    /** A problem in a catalog built in code, or before its source is known. */
    public UsagePlansConfigException(String entry, String problem) {
        this(null, entry, 0, problem);
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

    /** The file or class the problem is in, or {@code null} for a catalog built in code. */
    public String source() {
        return source;
    }

    /** The entry, e.g. {@code plans[premium].throttle.rateLimit}. */
    public String entry() {
        return entry;
    }

    /** The 1-based line in the plan file, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The problem without source and line, for re-throwing with them. */
    public String problem() {
        String full = getMessage();
        String prefix = describe(source, entry, line, "");
        return full.startsWith(prefix) ? full.substring(prefix.length()) : full;
    }
}
