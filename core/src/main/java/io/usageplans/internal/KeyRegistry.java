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

    /** A key as the request path needs it on this stage: its plan here (or null) and its state key in the store. */
    public record Entry(ApiKey key, CompiledPlan plan, String stateKey) {
    }

    private final Map<Sha256, Entry> byHash;

    public KeyRegistry(Catalog catalog, String stage, Map<String, CompiledPlan> plansOnStage) {
        Map<Sha256, Entry> map = new HashMap<>();
        for (ApiKey key : catalog.apiKeys()) {
            Plan plan = catalog.planOf(key, stage).orElse(null);
            CompiledPlan compiled = plan == null ? null : plansOnStage.get(plan.name());
            String stateKey = plan == null ? null : key.name() + "|" + plan.name();
            map.put(new Sha256(key.valueSha256()), new Entry(key, compiled, stateKey));
        }
        this.byHash = map;
    }

    /** The key whose value hashes to {@code sha256}, or null. */
    public Entry find(byte[] sha256) {
        return byHash.get(new Sha256(sha256));
    }

    public int size() {
        return byHash.size();
    }

    private static final class Sha256 {
        private final byte[] bytes;
        private final int hash;

        Sha256(byte[] bytes) {
            this.bytes = bytes;
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
