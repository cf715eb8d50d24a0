package io.usageplans;

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
 */
public final class ApiKey {

    /** Shortest accepted key value, as in AWS API Gateway. */
    public static final int MIN_LENGTH = 20;
    /** Longest accepted key value, as in AWS API Gateway. */
    public static final int MAX_LENGTH = 128;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ApiKey::newDigest);

    private final String name;
    private final String description;
    private final boolean enabled;
    private final List<String> plans;
    private final byte[] valueSha256;
    private final String hint;
    private final byte[] previousValueSha256;
    private final java.time.Instant previousValidUntil;

    private ApiKey(String name, String description, boolean enabled, List<String> plans, byte[] valueSha256, String hint) {
        this(name, description, enabled, plans, valueSha256, hint, null, null);
    }

    private ApiKey(String name, String description, boolean enabled, List<String> plans, byte[] valueSha256, String hint,
                   byte[] previousValueSha256, java.time.Instant previousValidUntil) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("API key name must not be empty");
        }
        this.name = name;
        this.description = description == null ? "" : description;
        this.enabled = enabled;
        this.plans = List.copyOf(Objects.requireNonNullElse(plans, List.of()));
        this.valueSha256 = Objects.requireNonNull(valueSha256, "key '" + name + "' needs a value or a valueSha256");
        this.hint = hint;
        if ((previousValueSha256 == null) != (previousValidUntil == null)) {
            throw new IllegalArgumentException("key '" + name + "': a previous value needs the time it stays valid until");
        }
        this.previousValueSha256 = previousValueSha256 == null ? null : previousValueSha256.clone();
        this.previousValidUntil = previousValidUntil;
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
        return valueSha256.clone();
    }

    /** A masked form safe for logs: {@code demo…6789}, or {@code sha256:1a2b…} when only the hash is known. */
    public String hint() {
        return hint;
    }

    /** Whether {@code presentedSha256} is this key's hash, compared in constant time. */
    public boolean matchesSha256(byte[] presentedSha256) {
        return MessageDigest.isEqual(valueSha256, presentedSha256);
    }

    /** After a rotation: the SHA-256 of the value that stays valid until {@link #previousValidUntil()}, else null. */
    public byte[] previousValueSha256() {
        return previousValueSha256 == null ? null : previousValueSha256.clone();
    }

    /** Until when the value before the last rotation is still accepted; null when there is none. */
    public java.time.Instant previousValidUntil() {
        return previousValidUntil;
    }

    public ApiKey withEnabled(boolean value) {
        return new ApiKey(name, description, value, plans, valueSha256, hint, previousValueSha256, previousValidUntil);
    }

    public ApiKey withPlans(List<String> value) {
        return new ApiKey(name, description, enabled, value, valueSha256, hint, previousValueSha256, previousValidUntil);
    }

    public ApiKey withDescription(String value) {
        return new ApiKey(name, value, enabled, plans, valueSha256, hint, previousValueSha256, previousValidUntil);
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
        return new ApiKey(name, description, enabled, plans, sha256(newValue), mask(newValue),
                previousValidUntil == null ? null : valueSha256, previousValidUntil);
    }

    /** The same key with the given previous value and its end of validity (a rotation shared by a cluster). */
    public ApiKey withPrevious(byte[] previousSha256, java.time.Instant validUntil) {
        return new ApiKey(name, description, enabled, plans, valueSha256, hint, previousSha256, validUntil);
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
                && other.enabled == enabled && other.plans.equals(plans) && Arrays.equals(other.valueSha256, valueSha256)
                && Arrays.equals(other.previousValueSha256, previousValueSha256)
                && Objects.equals(other.previousValidUntil, previousValidUntil);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "ApiKey[name=" + name + ", value=" + hint + ", enabled=" + enabled + ", plans=" + plans
                + (previousValidUntil == null ? "" : ", previous value valid until " + previousValidUntil) + "]";
    }

    /** Builds an {@link ApiKey} in code; the value is hashed at once and not kept. */
    public static final class Builder {
        private final String name;
        private String description;
        private boolean enabled = true;
        private List<String> plans = List.of();
        private byte[] valueSha256;
        private String hint;

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
            this.hint = mask(value);
            return this;
        }

        /** The hex SHA-256 of the key value, for catalogs that must not contain the value itself. */
        public Builder valueSha256(String hex) {
            if (hex == null || !hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("valueSha256 of key '" + name
                        + "' must be 64 hexadecimal digits (the SHA-256 of the key value), was '" + hex + "'");
            }
            this.valueSha256 = HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
            this.hint = "sha256:" + hex.substring(0, 8).toLowerCase(java.util.Locale.ROOT) + "…";
            return this;
        }

        public ApiKey build() {
            if (valueSha256 == null) {
                throw new IllegalArgumentException("key '" + name + "' needs a value or a valueSha256");
            }
            return new ApiKey(name, description, enabled, plans, valueSha256, hint);
        }
    }
}
