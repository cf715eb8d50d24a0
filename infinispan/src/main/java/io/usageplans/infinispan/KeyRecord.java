package io.usageplans.infinispan;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import io.usageplans.ApiKey;

/**
 * An API key as the cluster shares it: the hash of its value, never the value, and after a rotation the hash of the
 * old value with the end of its grace period ({@code previousValueSha256} null when there is none). Stored as a String
 * ({@link #encode()}), so that the keys cache needs no marshaller of ours.
 */
record KeyRecord(String name, String description, boolean enabled, List<String> plans, byte[] valueSha256,
                 byte[] previousValueSha256, long previousValidUntilMillis) {

    private static final int FORMAT = 1;

    static KeyRecord of(ApiKey key) {
        return new KeyRecord(key.name(), key.description(), key.enabled(), List.copyOf(key.plans()), key.valueSha256(),
                key.previousValueSha256(), key.previousValidUntil() == null ? 0 : key.previousValidUntil().toEpochMilli());
    }

    ApiKey toApiKey() {
        ApiKey key = ApiKey.builder(name).description(description).enabled(enabled).plans(plans)
                .valueSha256(HexFormat.of().formatHex(valueSha256)).build();
        return previousValueSha256 == null ? key
                : key.withPrevious(previousValueSha256, Instant.ofEpochMilli(previousValidUntilMillis));
    }

    String encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(name);
            out.writeBoolean(description != null);
            if (description != null) {
                out.writeUTF(description);
            }
            out.writeBoolean(enabled);
            out.writeInt(plans.size());
            for (String plan : plans) {
                out.writeUTF(plan);
            }
            writeBytes(out, valueSha256);
            writeBytes(out, previousValueSha256);
            out.writeLong(previousValidUntilMillis);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    static KeyRecord decode(String value) {
        if (value == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value.getBytes(StandardCharsets.ISO_8859_1)))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("usage-plans: a shared key of layout " + format + "; this version reads " + FORMAT);
            }
            String name = in.readUTF();
            String description = in.readBoolean() ? in.readUTF() : null;
            boolean enabled = in.readBoolean();
            int count = in.readInt();
            String[] plans = new String[count];
            for (int i = 0; i < count; i++) {
                plans[i] = in.readUTF();
            }
            byte[] value256 = readBytes(in);
            byte[] previous = readBytes(in);
            return new KeyRecord(name, description, enabled, List.of(plans), value256, previous, in.readLong());
        } catch (IOException e) {
            throw new IllegalStateException("usage-plans: unreadable shared key: " + e, e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
