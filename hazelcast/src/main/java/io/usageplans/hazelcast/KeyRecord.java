package io.usageplans.hazelcast;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import io.usageplans.ApiKey;

/**
 * An API key as the cluster shares it: the hash of its value, never the value, and after a rotation the hash of the
 * old value with the end of its grace period ({@code previousValueSha256} null when there is none).
 */
record KeyRecord(String name, String description, boolean enabled, String[] plans, byte[] valueSha256,
                 byte[] previousValueSha256, long previousValidUntilMillis) {

    static KeyRecord of(ApiKey key) {
        return new KeyRecord(key.name(), key.description(), key.enabled(), key.plans().toArray(new String[0]), key.valueSha256(),
                key.previousValueSha256(), key.previousValidUntil() == null ? 0 : key.previousValidUntil().toEpochMilli());
    }

    ApiKey toApiKey() {
        ApiKey key = ApiKey.builder(name).description(description).enabled(enabled).plans(List.of(plans))
                .valueSha256(HexFormat.of().formatHex(valueSha256)).build();
        return previousValueSha256 == null ? key
                : key.withPrevious(previousValueSha256, Instant.ofEpochMilli(previousValidUntilMillis));
    }
}
