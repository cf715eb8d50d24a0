package io.usageplans.manage;

/**
 * The admin's record of changes: one line per change, saying who made it, what changed and how it was before and
 * after, under the logger {@code io.usageplans.manage.UsagePlansAdmin}. Key values appear only masked.
 */
final class AuditLog {

    /** The longest name of who acted that a line shows; a longer one is cut. */
    static final int MAX_ACTOR_LENGTH = 64;

    private static final System.Logger LOG = System.getLogger(UsagePlansAdmin.class.getName());

    private final String actor;

    AuditLog(String actor) {
        this.actor = clean(actor == null || actor.isBlank() ? "the application" : actor, MAX_ACTOR_LENGTH);
    }

    String actor() {
        return actor;
    }

    /** {@code usage-plans: <who> <what>: <before> -> <after>}. */
    void change(String what, Object before, Object after) {
        LOG.log(System.Logger.Level.INFO, "usage-plans: {0} {1}: {2} -> {3}", actor, what,
                clean(String.valueOf(before), 200), clean(String.valueOf(after), 200));
    }

    /** Text for one log line: control characters (a forged second line) become '?', and it is cut to {@code max}. */
    static String clean(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max + 1));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > max) {
            out.append('…');
        }
        return out.toString();
    }
}
