package io.usageplans.internal;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.spi.UsageStore;

/**
 * Finds a key by the SHA-256 of the presented value. Lookup by hash means the secret itself is never compared;
 * the final comparison of hashes is constant-time ({@link ApiKey#matchesSha256}).
 *
 * <p>Built for catalogs of a million keys: an open-addressing table of {@code long}s, each the first 32 bits of a
 * key's hash and its slot, over parallel arrays (the key, its plan on this stage, its state key), so a key costs about
 * 30 bytes here besides its state-key string, and nothing per key is boxed. A probe reads one table entry and skips
 * other keys without touching their arrays: with a million keys, each array read is a cache miss. A lookup answers a
 * slot; {@link #key}, {@link #plan}, {@link #stateKey} and {@link #validUntilMillis} read that slot.
 */
final class KeyRegistry {

    /** What {@link #findPresented} answers when no key has the presented value. */
    public static final int NONE = -1;

    /**
     * Per entry, the first 32 bits of its hash (high half) and its slot + 1 (low half), 0 where free; a power of two at
     * least twice the entries, probed linearly.
     */
    private final long[] table;
    private final ApiKey[] keys;
    private final CompiledPlan[] plans;
    private final String[] stateKeys;
    /** Entries from {@code current} on are rotated keys' previous values; their hashes and ends of validity. */
    private final int current;
    private final byte[][] previousHashes;
    private final long[] previousValidUntil;

    public KeyRegistry(Catalog catalog, String stage, Map<String, CompiledPlan> plansOnStage) {
        List<ApiKey> catalogKeys = catalog.apiKeys();
        int rotated = 0;
        for (ApiKey key : catalogKeys) {
            if (key.previousValueSha256() != null) {
                rotated++;
            }
        }
        int n = catalogKeys.size();
        int size = n + rotated;
        this.current = n;
        this.keys = new ApiKey[size];
        this.plans = new CompiledPlan[size];
        this.stateKeys = new String[size];
        this.previousHashes = new byte[rotated][];
        this.previousValidUntil = new long[rotated];
        this.table = new long[Math.max(2, Integer.highestOneBit(Math.max(1, size) * 2 - 1) << 1)];
        // keys on the same plans share one list (see Catalog), so a plan is looked up once per list
        Map<List<String>, Object> planOfList = new IdentityHashMap<>();
        Map<CompiledPlan, String> planNames = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ApiKey key = catalogKeys.get(i);
            Object found = planOfList.computeIfAbsent(key.plans(), names -> {
                Plan p = catalog.planOf(key, stage).orElse(null);
                CompiledPlan compiled = p == null ? null : plansOnStage.get(p.name());
                return compiled == null ? NO_PLAN : compiled;
            });
            CompiledPlan plan = found instanceof CompiledPlan compiled ? compiled : null;
            String stateKey = null;
            if (plan != null) {
                stateKey = UsageStore.stateKey(key.name(), planNames.computeIfAbsent(plan, CompiledPlan::name));
            }
            put(i, key, key.sha256Prefix(), plan, stateKey);
        }
        // then the previous values of rotated keys, where no current value is the same (a key rotated back to it)
        int extra = n;
        for (int i = 0; i < n; i++) {
            byte[] previous = keys[i].previousValueSha256();
            if (previous != null) {
                previousHashes[extra - n] = previous;
                previousValidUntil[extra - n] = keys[i].previousValidUntil().toEpochMilli();
                if (lookup(prefixOf(previous), previous) == NONE) {
                    put(extra, keys[i], prefixOf(previous), plans[i], stateKeys[i]);
                }
                extra++;
            }
        }
    }

    private void put(int slot, ApiKey key, int prefix, CompiledPlan plan, String stateKey) {
        keys[slot] = key;
        plans[slot] = plan;
        stateKeys[slot] = stateKey;
        int mask = table.length - 1;
        int i = mix(prefix) & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = entry(prefix, slot);
    }

    /** Marks, in the memo of plans by list, a list without a plan on this stage (the memo cannot hold null). */
    private static final Object NO_PLAN = new Object();

    private static final ThreadLocal<Probe> PROBES = ThreadLocal.withInitial(Probe::new);

    /**
     * The slot of the key a caller presented, or {@link #NONE}: hashed and looked up with this thread's buffers, so
     * the request path allocates nothing here. {@code value} must already be a well-formed key (at most 128 printable
     * ASCII characters).
     */
    public int findPresented(String value) {
        Probe probe = PROBES.get();
        int length = value.length();
        for (int i = 0; i < length; i++) {
            probe.input[i] = (byte) value.charAt(i);
        }
        probe.digest.update(probe.input, 0, length);
        try {
            probe.digest.digest(probe.hash, 0, probe.hash.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 failed", e);
        }
        return lookup(prefixOf(probe.hash), probe.hash);
    }

    private int lookup(int prefix, byte[] sha256) {
        int mask = table.length - 1;
        long entry;
        for (int i = mix(prefix) & mask; (entry = table[i]) != 0; i = (i + 1) & mask) {
            if ((int) (entry >>> 32) == prefix) {
                int slot = (int) entry - 1;
                if (matches(slot, sha256)) {
                    return slot;
                }
            }
        }
        return NONE;
    }

    /** A table entry: never 0, since slot + 1 is at least 1. */
    private static long entry(int prefix, int slot) {
        return (long) prefix << 32 | (slot + 1L);
    }

    private boolean matches(int slot, byte[] sha256) {
        return slot < current ? keys[slot].matchesSha256(sha256)
                : MessageDigest.isEqual(previousHashes[slot - current], sha256);
    }

    /** Slots by key name, for callers identified by name (an authenticated identity); built on first use. */
    private volatile Map<String, Integer> byName;

    /** The slot of the key named {@code name} (not a value: an identity the application authenticated), or {@link #NONE}. */
    public int findNamed(String name) {
        Map<String, Integer> names = byName;
        if (names == null) {
            synchronized (this) {
                names = byName;
                if (names == null) {
                    names = new java.util.HashMap<>(current * 2);
                    for (int slot = 0; slot < current; slot++) {
                        if (keys[slot] != null) {
                            names.put(keys[slot].name(), slot);
                        }
                    }
                    byName = names;
                }
            }
        }
        Integer slot = names.get(name);
        return slot == null ? NONE : slot;
    }

    /** The key of a slot. */
    public ApiKey key(int slot) {
        return keys[slot];
    }

    /** The key's plan on this stage, or null when it has none here. */
    public CompiledPlan plan(int slot) {
        return plans[slot];
    }

    /** How the store names the key's state on its plan here ({@code name|plan}), or null without a plan here. */
    public String stateKey(int slot) {
        return stateKeys[slot];
    }

    /** Until when this value is accepted: {@link Long#MAX_VALUE}, or the end of a rotated key's grace period. */
    public long validUntilMillis(int slot) {
        return slot < current ? Long.MAX_VALUE : previousValidUntil[slot - current];
    }

    /** How many values are accepted: one per key, and one more per rotated key in its grace period. */
    public int size() {
        int size = 0;
        for (ApiKey key : keys) {
            if (key != null) {
                size++;
            }
        }
        return size;
    }

    private static int prefixOf(byte[] sha256) {
        return (sha256[0] & 0xff) << 24 | (sha256[1] & 0xff) << 16 | (sha256[2] & 0xff) << 8 | (sha256[3] & 0xff);
    }

    /** The hash is uniform already; this only keeps a table of 2^k slots from using the prefix's top bits alone. */
    private static int mix(int prefix) {
        return prefix ^ (prefix >>> 16);
    }

    /** One thread's reusable hashing buffers. */
    private static final class Probe {
        final MessageDigest digest;
        final byte[] input = new byte[ApiKey.MAX_LENGTH];
        final byte[] hash = new byte[32];

        Probe() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }
    }
}
