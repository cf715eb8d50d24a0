package io.usageplans.spi;

/**
 * A change to a key's quota counter in the current period (AWS's UpdateUsage). A counter below 0 means the key may
 * make more than the limit this period: that is how "extend the remaining quota" is kept.
 *
 * @param kind  set the counter to {@code value}, or add {@code value} to it (negative to give units back)
 * @param value the units
 */
public record QuotaUpdate(Kind kind, long value) {

    public enum Kind {
        SET_USED,
        ADD_USED
    }

    public static QuotaUpdate setUsed(long value) {
        return new QuotaUpdate(Kind.SET_USED, value);
    }

    public static QuotaUpdate addUsed(long value) {
        return new QuotaUpdate(Kind.ADD_USED, value);
    }

    /** The counter after this change. */
    public long applyTo(long used) {
        return kind == Kind.SET_USED ? value : used + value;
    }
}
