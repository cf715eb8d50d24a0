package io.usageplans.internal;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;

/**
 * Finds a key by the SHA-256 of the presented value. Lookup by hash means the secret itself is never compared;
 * the final comparison of hashes is constant-time ({@link MessageDigest#isEqual}).
 */
public final class KeyRegistry {

    /**
     * A key as the request path needs it on this stage: its plan here (or null), its state key in the store, and
     * until when this value is accepted ({@link Long#MAX_VALUE}, or the grace period of a rotated key's old value).
     */
    public record Entry(ApiKey key, CompiledPlan plan, String stateKey, long validUntilMillis) {
    }

    private final Map<Sha256, Entry> byHash;

    public KeyRegistry(Catalog catalog, String stage, Map<String, CompiledPlan> plansOnStage) {
        Map<Sha256, Entry> map = new HashMap<>();
        for (ApiKey key : catalog.apiKeys()) {
            Plan plan = catalog.planOf(key, stage).orElse(null);
            CompiledPlan compiled = plan == null ? null : plansOnStage.get(plan.name());
            String stateKey = plan == null ? null : io.usageplans.UsagePlans.stateKey(key.name(), plan.name());
            map.put(new Sha256(key.valueSha256()), new Entry(key, compiled, stateKey, Long.MAX_VALUE));
            if (key.previousValueSha256() != null) {
                map.putIfAbsent(new Sha256(key.previousValueSha256()),
                        new Entry(key, compiled, stateKey, key.previousValidUntil().toEpochMilli()));
            }
        }
        this.byHash = map;
    }

    private static final ThreadLocal<Probe> PROBES = ThreadLocal.withInitial(Probe::new);

    /**
     * The key a caller presented, or null: hashed and looked up with this thread's buffers, so the request path
     * allocates nothing here. {@code value} must already be a well-formed key (at most 128 printable ASCII characters).
     */
    public Entry findPresented(String value) {
        Probe probe = PROBES.get();
        int length = value.length();
        for (int i = 0; i < length; i++) {
            probe.input[i] = (byte) value.charAt(i);
        }
        probe.digest.update(probe.input, 0, length);
        try {
            probe.digest.digest(probe.key.bytes, 0, probe.key.bytes.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 failed", e);
        }
        probe.key.rehash();
        return byHash.get(probe.key);
    }

    /** One thread's reusable hashing buffers and lookup key. */
    private static final class Probe {
        final MessageDigest digest;
        final byte[] input = new byte[ApiKey.MAX_LENGTH];
        final Sha256 key = new Sha256(new byte[32]);

        Probe() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }
    }

    public int size() {
        return byHash.size();
    }

    private static final class Sha256 {
        private final byte[] bytes;
        private int hash;

        Sha256(byte[] bytes) {
            this.bytes = bytes;
            rehash();
        }

        /** For the per-thread probe, whose bytes are overwritten for each lookup; stored keys never change. */
        void rehash() {
            this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sha256 other && MessageDigest.isEqual(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
