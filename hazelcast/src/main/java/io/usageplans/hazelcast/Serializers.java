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
                new RefundSerializer(), new UpdateQuotaSerializer(), new SettleSerializer(), new SettleOnMemberSerializer());
    }

    static final class KeyUsageSerializer implements CompactSerializer<KeyUsage> {
        @Override
        public KeyUsage read(CompactReader in) {
            return KeyUsage.read(in);
        }

        @Override
        public void write(CompactWriter out, KeyUsage u) {
            u.write(out);
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

    static final class SettleSerializer implements CompactSerializer<Settle> {
        @Override
        public Settle read(CompactReader in) {
            String[] keys = in.readArrayOfString("stateKeys");
            String[] planIds = in.readArrayOfString("planIds");
            long[] planCapacities = in.readArrayOfInt64("planCapacities");
            long[] planFills = in.readArrayOfInt64("planFills");
            long[] quotaLimits = in.readArrayOfInt64("quotaLimits");
            long[] quotaStarts = in.readArrayOfInt64("quotaStarts");
            long[] quotaEnds = in.readArrayOfInt64("quotaEnds");
            long[] nowNanos = in.readArrayOfInt64("nowNanos");
            long[] spent = in.readArrayOfInt64("spent");
            long[] returned = in.readArrayOfInt64("returned");
            long[] wanted = in.readArrayOfInt64("wanted");
            long[] holdNanos = in.readArrayOfInt64("holdNanos");
            java.util.List<io.usageplans.spi.AllowanceChange> changes = new java.util.ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                changes.add(new io.usageplans.spi.AllowanceChange(keys[i],
                        planIds[i] == null ? null : new BucketSpec(planIds[i], planCapacities[i], planFills[i]),
                        quotaLimits[i] == 0 && quotaStarts[i] == 0 && quotaEnds[i] == 0 ? null
                                : new QuotaWindow(quotaLimits[i], quotaStarts[i], quotaEnds[i]),
                        nowNanos[i], spent[i], returned[i], wanted[i], holdNanos[i]));
            }
            return new Settle(changes, in.readInt32("reportDays"), in.readInt64("idHigh"), in.readInt64("idLow"));
        }

        @Override
        public void write(CompactWriter out, Settle s) {
            int n = s.changes.size();
            String[] keys = new String[n];
            String[] planIds = new String[n];
            long[][] columns = new long[11][n];
            for (int i = 0; i < n; i++) {
                io.usageplans.spi.AllowanceChange c = s.changes.get(i);
                keys[i] = c.stateKey();
                planIds[i] = c.planBucket() == null ? null : c.planBucket().id();
                columns[0][i] = c.planBucket() == null ? 0 : c.planBucket().capacity();
                columns[1][i] = c.planBucket() == null ? 0 : c.planBucket().nanosToFill();
                columns[2][i] = c.quota() == null ? 0 : c.quota().limit();
                columns[3][i] = c.quota() == null ? 0 : c.quota().startMillis();
                columns[4][i] = c.quota() == null ? 0 : c.quota().endMillis();
                columns[5][i] = c.nowNanos();
                columns[6][i] = c.spent();
                columns[7][i] = c.returned();
                columns[8][i] = c.wanted();
                columns[9][i] = c.holdNanos();
            }
            out.writeArrayOfString("stateKeys", keys);
            out.writeArrayOfString("planIds", planIds);
            out.writeArrayOfInt64("planCapacities", columns[0]);
            out.writeArrayOfInt64("planFills", columns[1]);
            out.writeArrayOfInt64("quotaLimits", columns[2]);
            out.writeArrayOfInt64("quotaStarts", columns[3]);
            out.writeArrayOfInt64("quotaEnds", columns[4]);
            out.writeArrayOfInt64("nowNanos", columns[5]);
            out.writeArrayOfInt64("spent", columns[6]);
            out.writeArrayOfInt64("returned", columns[7]);
            out.writeArrayOfInt64("wanted", columns[8]);
            out.writeArrayOfInt64("holdNanos", columns[9]);
            out.writeInt32("reportDays", s.reportDays);
            out.writeInt64("idHigh", s.idHigh);
            out.writeInt64("idLow", s.idLow);
        }

        @Override
        public String getTypeName() {
            return "usageplans.Settle";
        }

        @Override
        public Class<Settle> getCompactClass() {
            return Settle.class;
        }
    }

    static final class SettleOnMemberSerializer implements CompactSerializer<SettleOnMember> {
        @Override
        public SettleOnMember read(CompactReader in) {
            return new SettleOnMember(in.readString("mapName"), in.readInt64("timeoutMillis"),
                    in.readArrayOfCompact("settles", Settle.class));
        }

        @Override
        public void write(CompactWriter out, SettleOnMember task) {
            out.writeString("mapName", task.mapName);
            out.writeInt64("timeoutMillis", task.timeoutMillis);
            out.writeArrayOfCompact("settles", task.settles);
        }

        @Override
        public String getTypeName() {
            return "usageplans.SettleOnMember";
        }

        @Override
        public Class<SettleOnMember> getCompactClass() {
            return SettleOnMember.class;
        }
    }
}
