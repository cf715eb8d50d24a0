package io.usageplans.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Redis key names for the state of one key and plan: {@code <prefix>:{<tag>}} (buckets, quota, allowances) and
 * {@code <prefix>:{<tag>}:d} (daily usage), where the tag is the first 12 bytes of the SHA-256 of the state key in hex.
 * The shared hash tag puts both in one Redis Cluster slot, so that a script touches one slot; hashing keeps key
 * names, and any brace in them, out of Redis's key space.
 */
record StateKeys(String state, String days) {

    static StateKeys of(String prefix, String stateKey) {
        String tag = tag(stateKey);
        String base = prefix + ":{" + tag + "}";
        return new StateKeys(base, base + ":d");
    }

    List<String> asList() {
        return List.of(state, days);
    }

    static String tag(String stateKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(stateKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
