package io.usageplans;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An API key (AWS's ApiKey) subscribed to one or more plans, at most one per stage. Only the SHA-256 hash of
 * the value is kept: the value itself is never stored, logged or printed.
 *
 * <p>Compact, because a catalog may hold a million of them: the hash is four {@code long}s in the object itself, the
 * masked hint is eight characters in one {@code long} (rebuilt as text when asked for), and a rotation's previous value
 * sits in an object that only rotated keys have.
 */
public final class ApiKey {

    /** Shortest accepted key value, as in AWS API Gateway. */
    public static final int MIN_LENGTH = 20;
    /** Longest accepted key value, as in AWS API Gateway. */
    public static final int MAX_LENGTH = 128;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ApiKey::newDigest);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final String name;
    private final String description;
    private final boolean enabled;
    private final List<String> plans;
    /** The SHA-256 of the value, big-endian, in four parts. */
    private final long h0;
    private final long h1;
    private final long h2;
    private final long h3;
    /** The first and last four characters of the value (ASCII, one per byte), or 0 when only the hash was given. */
    private final long hint;
    /** After a rotation: the previous value's hash and until when it is accepted; null otherwise. */
    private final Previous previous;

    private record Previous(byte[] sha256, java.time.Instant validUntil) {
    }

    private ApiKey(String name, String description, boolean enabled, List<String> plans, byte[] valueSha256, long hint) {
        this(name, description, enabled, plans, valueSha256, hint, null, null);
    }

    private ApiKey(String name, String description, boolean enabled, List<String> plans, byte[] valueSha256, long hint,
                   byte[] previousValueSha256, java.time.Instant previousValidUntil) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("API key name must not be empty");
        }
        Objects.requireNonNull(valueSha256, "key '" + name + "' needs a value or a valueSha256");
        if (valueSha256.length != 32) {
            throw new IllegalArgumentException("key '" + name + "': a SHA-256 has 32 bytes, not " + valueSha256.length);
        }
        this.name = name;
        this.description = description == null ? "" : description;
        this.enabled = enabled;
        this.plans = List.copyOf(Objects.requireNonNullElse(plans, List.of()));
        this.h0 = (long) LONGS.get(valueSha256, 0);
        this.h1 = (long) LONGS.get(valueSha256, 8);
        this.h2 = (long) LONGS.get(valueSha256, 16);
        this.h3 = (long) LONGS.get(valueSha256, 24);
        this.hint = hint;
        if ((previousValueSha256 == null) != (previousValidUntil == null)) {
            throw new IllegalArgumentException("key '" + name + "': a previous value needs the time it stays valid until");
        }
        this.previous = previousValueSha256 == null ? null : new Previous(previousValueSha256.clone(), previousValidUntil);
    }

    /** A copy of {@code key} with other fields; the hash and hint are taken over as they are. */
    private ApiKey(ApiKey key, String description, boolean enabled, List<String> plans, Previous previous) {
        this.name = key.name;
        this.description = description == null ? "" : description;
        this.enabled = enabled;
        this.plans = List.copyOf(Objects.requireNonNullElse(plans, List.of()));
        this.h0 = key.h0;
        this.h1 = key.h1;
        this.h2 = key.h2;
        this.h3 = key.h3;
        this.hint = key.hint;
        this.previous = previous;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public boolean enabled() {
        return enabled;
    }

    public List<String> plans() {
        return plans;
    }

    /** A copy of the SHA-256 hash of the key value. */
    public byte[] valueSha256() {
        byte[] bytes = new byte[32];
        LONGS.set(bytes, 0, h0);
        LONGS.set(bytes, 8, h1);
        LONGS.set(bytes, 16, h2);
        LONGS.set(bytes, 24, h3);
        return bytes;
    }

    /** A masked form safe for logs: {@code demo…6789}, or {@code sha256:1a2b…} when only the hash is known. */
    public String hint() {
        if (hint == 0) {
            return "sha256:" + HexFormat.of().toHexDigits((int) (h0 >>> 32)) + "…";
        }
        char[] chars = new char[9];
        for (int i = 0; i < 8; i++) {
            chars[i < 4 ? i : i + 1] = (char) ((hint >>> (8 * (7 - i))) & 0xff);
        }
        chars[4] = '…';
        return new String(chars);
    }

    /** Whether {@code presentedSha256} is this key's hash, compared in constant time. */
    public boolean matchesSha256(byte[] presentedSha256) {
        if (presentedSha256 == null || presentedSha256.length != 32) {
            return false;
        }
        long difference = (h0 ^ (long) LONGS.get(presentedSha256, 0)) | (h1 ^ (long) LONGS.get(presentedSha256, 8))
                | (h2 ^ (long) LONGS.get(presentedSha256, 16)) | (h3 ^ (long) LONGS.get(presentedSha256, 24));
        return difference == 0;
    }

    /** The first 32 bits of the hash: well spread, for hash tables of keys (not secret: the hash is not the value). */
    public int sha256Prefix() {
        return (int) (h0 >>> 32);
    }

    /** Whether both keys have the same value (the same hash). */
    boolean sameValueAs(ApiKey other) {
        return h0 == other.h0 && h1 == other.h1 && h2 == other.h2 && h3 == other.h3;
    }

    /** Whether this key's previous value (after a rotation) is {@code other}'s value. */
    boolean previousValueIs(ApiKey other) {
        return previous != null && other.matchesSha256(previous.sha256);
    }

    /** After a rotation: the SHA-256 of the value that stays valid until {@link #previousValidUntil()}, else null. */
    public byte[] previousValueSha256() {
        return previous == null ? null : previous.sha256.clone();
    }

    /** Until when the value before the last rotation is still accepted; null when there is none. */
    public java.time.Instant previousValidUntil() {
        return previous == null ? null : previous.validUntil;
    }

    public ApiKey withEnabled(boolean value) {
        return new ApiKey(this, description, value, plans, previous);
    }

    public ApiKey withPlans(List<String> value) {
        return new ApiKey(this, description, enabled, value, previous);
    }

    public ApiKey withDescription(String value) {
        return new ApiKey(this, value, enabled, plans, previous);
    }

    /**
     * The same key with a new value; the current value stays valid until {@code previousValidUntil} (a grace period
     * for clients to switch), or not at all when that is null or already past.
     */
    public ApiKey rotatedTo(String newValue, java.time.Instant previousValidUntil) {
        String problem = problemWithValue(newValue);
        if (problem != null) {
            throw new IllegalArgumentException("new value of key '" + name + "' " + problem);
        }
        return new ApiKey(name, description, enabled, plans, sha256(newValue), packedHint(newValue),
                previousValidUntil == null ? null : valueSha256(), previousValidUntil);
    }

    /** The same key with the given previous value and its end of validity (a rotation shared by a cluster). */
    public ApiKey withPrevious(byte[] previousSha256, java.time.Instant validUntil) {
        if ((previousSha256 == null) != (validUntil == null)) {
            throw new IllegalArgumentException("key '" + name + "': a previous value needs the time it stays valid until");
        }
        return new ApiKey(this, description, enabled, plans, previousSha256 == null ? null
                : new Previous(previousSha256.clone(), validUntil));
    }

    /**
     * Why {@code value} is not an acceptable key value, or {@code null} if it is: 20-128 printable ASCII
     * characters, no spaces. The message never contains the value.
     */
    public static String problemWithValue(String value) {
        if (value == null || value.isEmpty()) {
            return "is empty";
        }
        if (value.length() < MIN_LENGTH || value.length() > MAX_LENGTH) {
            return "has " + value.length() + " characters; a key needs " + MIN_LENGTH + " to " + MAX_LENGTH;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "has a character that is not printable ASCII or is a space at position " + (i + 1);
            }
        }
        return null;
    }

    /** SHA-256 of the key value's ASCII bytes; what {@code valueSha256} holds in hex. */
    public static byte[] sha256(String value) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(value.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Hex SHA-256 of a key value, for writing {@code valueSha256} in a plan file. */
    public static String sha256Hex(String value) {
        return HexFormat.of().formatHex(sha256(value));
    }

    /** A key value masked for logs: the first and last four characters, {@code demo…6789}; short values show less. */
    public static String mask(String value) {
        if (value == null || value.isEmpty()) {
            return "(none)";
        }
        StringBuilder safe = new StringBuilder(Math.min(value.length(), 16));
        int show = value.length() >= 12 ? 4 : value.length() >= 6 ? 1 : 0;
        appendPrintable(safe, value, 0, show);
        safe.append('…');
        appendPrintable(safe, value, value.length() - show, value.length());
        return safe.toString();
    }

    /** The first and last four characters of a valid key value (printable ASCII, 20 or more), one per byte. */
    private static long packedHint(String value) {
        long packed = 0;
        for (int i = 0; i < 8; i++) {
            packed = packed << 8 | (value.charAt(i < 4 ? i : value.length() - 8 + i) & 0xff);
        }
        return packed;
    }

    private static void appendPrintable(StringBuilder out, String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x21 && c <= 0x7e ? c : '?');
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey other && other.name.equals(name) && other.description.equals(description)
                && other.enabled == enabled && other.plans.equals(plans) && other.sameValueAs(this)
                && Arrays.equals(other.previousValueSha256(), previousValueSha256())
                && Objects.equals(other.previousValidUntil(), previousValidUntil());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKey[name=" + name + ", value=" + hint() + ", enabled=" + enabled + ", plans=" + plans
                + (previous == null ? "" : ", previous value valid until " + previous.validUntil) + "]";
    }

    /** Builds an {@link ApiKey} in code; the value is hashed at once and not kept. */
    public static final class Builder {
        private final String name;
        private String description;
        private boolean enabled = true;
        private List<String> plans = List.of();
        private byte[] valueSha256;
        private long hint;

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String value) {
            this.description = value;
            return this;
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder plans(String... names) {
            this.plans = List.of(names);
            return this;
        }

        public Builder plans(List<String> names) {
            this.plans = List.copyOf(names);
            return this;
        }

        /** The key value: 20-128 printable ASCII characters without spaces. */
        public Builder value(String value) {
            String problem = problemWithValue(value);
            if (problem != null) {
                throw new IllegalArgumentException("value of key '" + name + "' " + problem
                        + (value == null ? "" : " (" + mask(value) + ")"));
            }
            this.valueSha256 = sha256(value);
            this.hint = packedHint(value);
            return this;
        }

        /** The hex SHA-256 of the key value, for catalogs that must not contain the value itself. */
        public Builder valueSha256(String hex) {
            if (!isSha256Hex(hex)) {
                throw new IllegalArgumentException("valueSha256 of key '" + name
                        + "' must be 64 hexadecimal digits (the SHA-256 of the key value), was '" + hex + "'");
            }
            this.valueSha256 = HexFormat.of().parseHex(hex);
            this.hint = 0; // shown as sha256:<the first 8 hex digits>…
            return this;
        }

        private static boolean isSha256Hex(String hex) {
            if (hex == null || hex.length() != 64) {
                return false;
            }
            for (int i = 0; i < 64; i++) {
                if (Character.digit(hex.charAt(i), 16) < 0 || hex.charAt(i) > 'f') {
                    return false;
                }
            }
            return true;
        }

        public ApiKey build() {
            if (valueSha256 == null) {
                throw new IllegalArgumentException("key '" + name + "' needs a value or a valueSha256");
            }
            return new ApiKey(name, description, enabled, plans, valueSha256, hint);
        }
    }
}
