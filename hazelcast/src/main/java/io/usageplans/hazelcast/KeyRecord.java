package io.usageplans.hazelcast;

import java.util.HexFormat;
import java.util.List;

import io.usageplans.ApiKey;

/** An API key as the cluster shares it: the hash of its value, never the value. */
record KeyRecord(String name, String description, boolean enabled, String[] plans, byte[] valueSha256) {

    static KeyRecord of(ApiKey key) {
        return new KeyRecord(key.name(), key.description(), key.enabled(), key.plans().toArray(new String[0]), key.valueSha256());
    }

    ApiKey toApiKey() {
        return ApiKey.builder(name).description(description).enabled(enabled).plans(List.of(plans))
                .valueSha256(HexFormat.of().formatHex(valueSha256)).build();
    }
}
