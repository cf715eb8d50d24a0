package io.usageplans.hazelcast;

import java.util.List;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.usageplans.QuotaWindow;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;

/**
 * Compact serializers for everything this module sends or stores: schema-based, a few bytes per field, no Java
 * serialization. Members that store the data need no classes; members that run {@link Decide} need this jar.
 */
final class Serializers {

    private Serializers() {
    }

    static List<CompactSerializer<?>> all() {
        return List.of(new KeyUsageSerializer(), new DecideSerializer(), new ConsumptionSerializer(), new KeyRecordSerializer(),
                new RefundSerializer(), new UpdateQuotaSerializer());
    }

    static final class KeyUsageSerializer implements CompactSerializer<KeyUsage> {
        @Override
        public KeyUsage read(CompactReader in) {
            KeyUsage u = new KeyUsage();
            u.bucketIds = in.readArrayOfString("bucketIds");
            u.capacities = in.readArrayOfInt64("capacities");
            u.nanosToFill = in.readArrayOfInt64("nanosToFill");
            u.tokens = in.readArrayOfFloat64("tokens");
            u.lastRefillNanos = in.readArrayOfInt64("lastRefillNanos");
            u.quotaStartMillis = in.readInt64("quotaStartMillis");
            u.quotaUsed = in.readInt64("quotaUsed");
            u.usageDays = in.readArrayOfInt64("usageDays");
            u.usageCounts = in.readArrayOfInt64("usageCounts");
            // entries written before quota counters were kept per day read as 0s
            u.usageQuotaUsed = in.getFieldKind("usageQuotaUsed") == FieldKind.ARRAY_OF_INT64
                    ? in.readArrayOfInt64("usageQuotaUsed") : new long[u.usageDays.length];
            return u;
        }

        @Override
        public void write(CompactWriter out, KeyUsage u) {
            out.writeArrayOfString("bucketIds", u.bucketIds);
            out.writeArrayOfInt64("capacities", u.capacities);
            out.writeArrayOfInt64("nanosToFill", u.nanosToFill);
            out.writeArrayOfFloat64("tokens", u.tokens);
            out.writeArrayOfInt64("lastRefillNanos", u.lastRefillNanos);
            out.writeInt64("quotaStartMillis", u.quotaStartMillis);
            out.writeInt64("quotaUsed", u.quotaUsed);
            out.writeArrayOfInt64("usageDays", u.usageDays);
            out.writeArrayOfInt64("usageCounts", u.usageCounts);
            out.writeArrayOfInt64("usageQuotaUsed", u.usageQuotaUsed);
        }

        @Override
        public String getTypeName() {
            return "usageplans.KeyUsage";
        }

        @Override
        public Class<KeyUsage> getCompactClass() {
            return KeyUsage.class;
        }
    }

    static final class DecideSerializer implements CompactSerializer<Decide> {
        @Override
        public Decide read(CompactReader in) {
            String planId = in.readString("planId");
            String methodId = in.readString("methodId");
            long quotaLimit = in.readInt64("quotaLimit");
            return new Decide(
                    planId == null ? null : new BucketSpec(planId, in.readInt64("planCapacity"), in.readInt64("planFill")),
                    methodId == null ? null : new BucketSpec(methodId, in.readInt64("methodCapacity"), in.readInt64("methodFill")),
                    quotaLimit == 0 ? null : new QuotaWindow(quotaLimit, in.readInt64("quotaStart"), in.readInt64("quotaEnd")),
                    in.readInt64("nowNanos"), in.readInt32("reportDays"), in.readInt64("cost"));
        }

        @Override
        public void write(CompactWriter out, Decide d) {
            out.writeString("planId", d.plan == null ? null : d.plan.id());
            out.writeInt64("planCapacity", d.plan == null ? 0 : d.plan.capacity());
            out.writeInt64("planFill", d.plan == null ? 0 : d.plan.nanosToFill());
            out.writeString("methodId", d.method == null ? null : d.method.id());
            out.writeInt64("methodCapacity", d.method == null ? 0 : d.method.capacity());
            out.writeInt64("methodFill", d.method == null ? 0 : d.method.nanosToFill());
            out.writeInt64("quotaLimit", d.quota == null ? 0 : d.quota.limit());
            out.writeInt64("quotaStart", d.quota == null ? 0 : d.quota.startMillis());
            out.writeInt64("quotaEnd", d.quota == null ? 0 : d.quota.endMillis());
            out.writeInt64("nowNanos", d.nowNanos);
            out.writeInt32("reportDays", d.reportDays);
            out.writeInt64("cost", d.cost);
        }

        @Override
        public String getTypeName() {
            return "usageplans.Decide";
        }

        @Override
        public Class<Decide> getCompactClass() {
            return Decide.class;
        }
    }

    static final class RefundSerializer implements CompactSerializer<Refund> {
        @Override
        public Refund read(CompactReader in) {
            return new Refund(in.readCompact("request"), in.readBoolean("planBucket"), in.readBoolean("methodBucket"),
                    in.readBoolean("quota"));
        }

        @Override
        public void write(CompactWriter out, Refund r) {
            out.writeCompact("request", r.request);
            out.writeBoolean("planBucket", r.planBucket);
            out.writeBoolean("methodBucket", r.methodBucket);
            out.writeBoolean("quota", r.quota);
        }

        @Override
        public String getTypeName() {
            return "usageplans.Refund";
        }

        @Override
        public Class<Refund> getCompactClass() {
            return Refund.class;
        }
    }

    static final class ConsumptionSerializer implements CompactSerializer<Consumption> {
        private static final Consumption.Verdict[] VERDICTS = Consumption.Verdict.values();

        @Override
        public Consumption read(CompactReader in) {
            return new Consumption(VERDICTS[in.readInt32("verdict")], in.readInt64("planTokens"), in.readInt64("planNanosToFull"),
                    in.readInt64("methodTokens"), in.readInt64("methodNanosToFull"), in.readInt64("quotaUsed"),
                    in.readInt64("nanosToRetry"));
        }

        @Override
        public void write(CompactWriter out, Consumption c) {
            out.writeInt32("verdict", c.verdict().ordinal());
            out.writeInt64("planTokens", c.planTokens());
            out.writeInt64("planNanosToFull", c.planNanosToFull());
            out.writeInt64("methodTokens", c.methodTokens());
            out.writeInt64("methodNanosToFull", c.methodNanosToFull());
            out.writeInt64("quotaUsed", c.quotaUsed());
            out.writeInt64("nanosToRetry", c.nanosToRetry());
        }

        @Override
        public String getTypeName() {
            return "usageplans.Consumption";
        }

        @Override
        public Class<Consumption> getCompactClass() {
            return Consumption.class;
        }
    }

    static final class KeyRecordSerializer implements CompactSerializer<KeyRecord> {
        @Override
        public KeyRecord read(CompactReader in) {
            boolean rotated = in.getFieldKind("previousValueSha256") == FieldKind.ARRAY_OF_INT8;
            return new KeyRecord(in.readString("name"), in.readString("description"), in.readBoolean("enabled"),
                    in.readArrayOfString("plans"), in.readArrayOfInt8("valueSha256"),
                    rotated ? in.readArrayOfInt8("previousValueSha256") : null,
                    rotated ? in.readInt64("previousValidUntilMillis") : 0);
        }

        @Override
        public void write(CompactWriter out, KeyRecord k) {
            out.writeString("name", k.name());
            out.writeString("description", k.description());
            out.writeBoolean("enabled", k.enabled());
            out.writeArrayOfString("plans", k.plans());
            out.writeArrayOfInt8("valueSha256", k.valueSha256());
            out.writeArrayOfInt8("previousValueSha256", k.previousValueSha256());
            out.writeInt64("previousValidUntilMillis", k.previousValidUntilMillis());
        }

        @Override
        public String getTypeName() {
            return "usageplans.KeyRecord";
        }

        @Override
        public Class<KeyRecord> getCompactClass() {
            return KeyRecord.class;
        }
    }

    static final class UpdateQuotaSerializer implements CompactSerializer<UpdateQuota> {
        private static final io.usageplans.spi.QuotaUpdate.Kind[] KINDS = io.usageplans.spi.QuotaUpdate.Kind.values();

        @Override
        public UpdateQuota read(CompactReader in) {
            return new UpdateQuota(new QuotaWindow(in.readInt64("quotaLimit"), in.readInt64("quotaStart"), in.readInt64("quotaEnd")),
                    new io.usageplans.spi.QuotaUpdate(KINDS[in.readInt32("kind")], in.readInt64("value")),
                    in.readInt64("nowNanos"), in.readInt32("reportDays"));
        }

        @Override
        public void write(CompactWriter out, UpdateQuota u) {
            out.writeInt64("quotaLimit", u.window.limit());
            out.writeInt64("quotaStart", u.window.startMillis());
            out.writeInt64("quotaEnd", u.window.endMillis());
            out.writeInt32("kind", u.update.kind().ordinal());
            out.writeInt64("value", u.update.value());
            out.writeInt64("nowNanos", u.nowNanos);
            out.writeInt32("reportDays", u.reportDays);
        }

        @Override
        public String getTypeName() {
            return "usageplans.UpdateQuota";
        }

        @Override
        public Class<UpdateQuota> getCompactClass() {
            return UpdateQuota.class;
        }
    }
}
