package io.usageplans.infinispan;

import io.usageplans.store.shared.SharedKeyState;

/**
 * One key on one plan in the state cache: {@link SharedKeyState}'s buckets, quota, allowances and daily usage (the
 * Hazelcast store's arithmetic, so both grids decide alike), kept as a String ({@link #encode()}, {@link #decode}),
 * which every Infinispan marshaller stores and compares without our classes, and changed by compare-and-set
 * ({@link KeyLanes}).
 */
public final class KeyUsage extends SharedKeyState {

    /** The version of {@link #encode()}'s layout, its first character: a stored value of another layout is refused. */
    private static final int FORMAT = 1;

    /**
     * This state as a String (each char one byte, ISO-8859-1): the cache stores it and compares it in
     * {@code replace(key, old, new)} with {@code String.equals}, whatever marshaller the cache manager has.
     */
    String encode() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(64 + 40 * bucketIds.length + 24 * usageDays.length);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(bucketIds.length);
            for (int i = 0; i < bucketIds.length; i++) {
                out.writeUTF(bucketIds[i]);
                out.writeLong(capacities[i]);
                out.writeLong(nanosToFill[i]);
                out.writeDouble(tokens[i]);
                out.writeLong(lastRefillNanos[i]);
            }
            out.writeLong(quotaStartMillis);
            out.writeLong(quotaUsed);
            out.writeLong(leasedTokens);
            out.writeLong(leaseDeadlineNanos);
            out.writeInt(usageDays.length);
            for (int i = 0; i < usageDays.length; i++) {
                out.writeLong(usageDays[i]);
                out.writeLong(usageCounts[i]);
                out.writeLong(usageQuotaUsed[i]);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The state {@link #encode()} wrote; null stays null (no entry: a new key). */
    static KeyUsage decode(String value) {
        if (value == null) {
            return null;
        }
        KeyUsage usage = new KeyUsage();
        try (java.io.DataInputStream in = new java.io.DataInputStream(
                new java.io.ByteArrayInputStream(value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("usage-plans: key state of layout " + format + " in the cache; this version reads "
                        + FORMAT);
            }
            int buckets = in.readInt();
            usage.bucketIds = new String[buckets];
            usage.capacities = new long[buckets];
            usage.nanosToFill = new long[buckets];
            usage.tokens = new double[buckets];
            usage.lastRefillNanos = new long[buckets];
            for (int i = 0; i < buckets; i++) {
                usage.bucketIds[i] = in.readUTF();
                usage.capacities[i] = in.readLong();
                usage.nanosToFill[i] = in.readLong();
                usage.tokens[i] = in.readDouble();
                usage.lastRefillNanos[i] = in.readLong();
            }
            usage.quotaStartMillis = in.readLong();
            usage.quotaUsed = in.readLong();
            usage.leasedTokens = in.readLong();
            usage.leaseDeadlineNanos = in.readLong();
            int days = in.readInt();
            usage.usageDays = new long[days];
            usage.usageCounts = new long[days];
            usage.usageQuotaUsed = new long[days];
            for (int i = 0; i < days; i++) {
                usage.usageDays[i] = in.readLong();
                usage.usageCounts[i] = in.readLong();
                usage.usageQuotaUsed[i] = in.readLong();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("usage-plans: unreadable key state in the cache: " + e, e);
        }
        return usage;
    }
}
