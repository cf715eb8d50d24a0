package io.usageplans.manage;

import io.usageplans.ApiKey;

/**
 * A key just created or rotated, with its value: the only time the value is available, since only its hash is kept.
 *
 * @param key   the key as stored (hash only)
 * @param value the new value, to hand to the client once
 */
public record CreatedKey(ApiKey key, String value) {

    @Override
    public String toString() {
        return "CreatedKey[" + key + "]"; // never the value
    }
}
