package io.usageplans;

/**
 * JSON strings (RFC 8259) for the few documents usage-plans writes by hand (alert webhooks, shared plans, the admin
 * API), so that users get no JSON library on their class path. Public because core's packages and the admin module
 * share it; it sits with the model since the model ({@link UsageAlert#toJson()}) writes JSON too.
 *
 * <p>Both forms escape what RFC 8259 requires: {@code "} and {@code \} and {@code \n}, {@code \r}, {@code \t} in their
 * short forms, the other control characters below U+0020 as {@code \}{@code u00XX} (lower-case hexadecimal).
 */
public final class JsonStrings {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonStrings() {
    }

    /**
     * Appends {@code value} as a JSON string ({@code null} for null), for bodies served or sent: besides what JSON
     * requires, {@code <}, {@code >}, {@code &}, U+2028 and U+2029 are written as {@code \}{@code uXXXX}, so that no
     * body is read as markup or breaks a script it is pasted into, and so is a surrogate without its pair, which no
     * encoding could carry. Every other character, beyond ASCII too, is written as it is.
     *
     * @return {@code out}
     */
    public static StringBuilder quote(StringBuilder out, String value) {
        return quote(out, value, false);
    }

    /**
     * Appends {@code value} as a JSON string ({@code null} for null) of ASCII only: besides what JSON requires, DEL and
     * every character beyond ASCII (a surrogate pair as two escapes) are written as {@code \}{@code uXXXX}; {@code <},
     * {@code >} and {@code &} are written as they are. For text that is stored and compared by digest (the plans a
     * cluster shares, {@code config.PlanText}): a member of any version writes the same plans with the same bytes, so
     * this form must not change.
     *
     * @return {@code out}
     */
    public static StringBuilder quoteAscii(StringBuilder out, String value) {
        return quote(out, value, true);
    }

    private static StringBuilder quote(StringBuilder out, String value, boolean ascii) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (ascii ? c > 0x7e : escapedInBodies(c))) {
                        if (!ascii && Character.isHighSurrogate(c) && i + 1 < length
                                && Character.isLowSurrogate(value.charAt(i + 1))) {
                            out.append(c).append(value.charAt(++i)); // a whole pair: one character beyond U+FFFF
                        } else {
                            unicode(out, c);
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean escapedInBodies(char c) {
        return c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c);
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }
}
