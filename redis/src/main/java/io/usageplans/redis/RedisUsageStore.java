package io.usageplans.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.usageplans.QuotaWindow;
import io.usageplans.spi.AllowanceChange;
import io.usageplans.spi.AllowanceGrant;
import io.usageplans.spi.BucketSpec;
import io.usageplans.spi.Consumption;
import io.usageplans.spi.Consumption.Verdict;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.MeteringRequest;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.StoreContext;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreUnavailableException;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Throttle and quota state in Redis 6+: two hashes per key and plan ({@link StateKeys}, one hash tag, so one Cluster
 * slot), changed only by this module's Lua script, so that one decision is one {@code EVALSHA} round trip, atomic
 * across every application server, with all of plan bucket, method bucket and quota consumed or none. By default the
 * script reads Redis's own clock ({@code TIME}), so application servers whose clocks differ cannot skew the buckets;
 * quota periods are those of the engine's clock. Lease mode settles the allowances of many keys in one pipelined
 * round trip. State expires in Redis ({@code PEXPIRE}) once its buckets are full, its allowances lapsed and its quota
 * period is over; daily usage is kept for the report days after the last use.
 *
 * <p>A call that fails or does not answer within the client's timeout throws {@link UsageStoreUnavailableException},
 * and the plan's fail mode decides; the client's connections come back by themselves once Redis answers again.
 */
public final class RedisUsageStore implements UsageStore {

    private static final Script SCRIPT = Script.load("usage-plans.lua");
    private static final System.Logger LOG = System.getLogger(RedisUsageStore.class.getName());

    private final UnifiedJedis redis;
    private final boolean ownsClient;
    private final String prefix;
    private final String reportDays;
    private final boolean serverTime;
    private final boolean shareKeys;
    private final Duration catalogPollInterval;
    private final String description;
    private final Deadline deadline;
    private volatile RedisCatalog catalog;

    private RedisUsageStore(Builder builder) {
        this.redis = builder.redis;
        this.ownsClient = builder.ownsClient;
        this.prefix = builder.keyPrefix;
        this.reportDays = Integer.toString(builder.reportDays);
        this.serverTime = builder.serverTime;
        this.shareKeys = builder.shareKeys;
        this.catalogPollInterval = builder.catalogPollInterval;
        this.description = builder.description;
        this.deadline = builder.timeout == null ? null : new Deadline(redis, builder.timeout);
    }

    public static Builder builder(UnifiedJedis redis) {
        return new Builder(redis);
    }

    /** Usage history, quota reads and updates, allowances for lease mode: every optional ability. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public Consumption tryConsume(MeteringRequest request) {
        List<String> args = new ArrayList<>(13);
        args.add("decide");
        args.add(time(request.nowNanos()));
        args.add(reportDaysOf(request.stateKey()));
        args.add(Long.toString(request.cost()));
        bucket(args, request.planBucket());
        bucket(args, request.methodBucket());
        quota(args, request.quota());
        StateKeys keys = StateKeys.of(prefix, request.stateKey());
        if (deadline == null) {
            return consumption((List<?>) run(keys, args, "decide"));
        }
        long sent = System.nanoTime();
        try {
            args.add(deadline.deadline());
        } catch (JedisException e) {
            throw unavailable("read its clock", e);
        }
        List<?> answer = (List<?>) run(keys, args, "decide");
        if (longAt(answer, 0) < 0) {
            if ((System.nanoTime() - sent) / 1000 >= deadline.chargingMicros()) {
                // Redis was slow: it ran the decision in the last moment of the wait, so it charged nothing
                throw new UsageStoreUnavailableException("usage-plans: Redis at " + description + " ran the decision after "
                        + "its deadline", null);
            }
            // answered quickly, yet Redis saw the deadline passed: our idea of Redis's clock is off (a clock was set)
            try {
                deadline.measure();
                args.set(args.size() - 1, deadline.deadline());
            } catch (JedisException e) {
                throw unavailable("read its clock", e);
            }
            answer = (List<?>) run(keys, args, "decide");
            if (longAt(answer, 0) < 0) {
                throw new UsageStoreUnavailableException("usage-plans: Redis at " + description + " ran the decision after "
                        + "its deadline", null);
            }
        }
        return consumption(answer);
    }

    /** Stage buckets and keyless clients keep no usage history, so that their state expires once idle. */
    private String reportDaysOf(String stateKey) {
        return UsageStore.anonymous(stateKey) ? "0" : reportDays;
    }

    private static Consumption consumption(List<?> answer) {
        return new Consumption(VERDICTS[(int) longAt(answer, 0)], longAt(answer, 1), longAt(answer, 2), longAt(answer, 3),
                longAt(answer, 4), longAt(answer, 5), longAt(answer, 6));
    }

    private static final Verdict[] VERDICTS = {Verdict.ALLOWED, Verdict.METHOD_THROTTLED, Verdict.PLAN_THROTTLED,
            Verdict.QUOTA_EXCEEDED};

    @Override
    public void refund(MeteringRequest request, boolean planBucket, boolean methodBucket, boolean quota) {
        List<String> args = List.of("refund", time(request.nowNanos()), reportDaysOf(request.stateKey()), Long.toString(request.cost()),
                request.planBucket() == null ? "" : request.planBucket().id(),
                request.methodBucket() == null ? "" : request.methodBucket().id(),
                request.quota() == null ? "" : Long.toString(request.quota().startMillis()),
                planBucket ? "1" : "0", methodBucket ? "1" : "0", quota ? "1" : "0");
        run(StateKeys.of(prefix, request.stateKey()), args, "refund");
    }

    /**
     * Settles every change in one pipelined round trip (per Cluster node): one script call per key, each atomic on
     * its slot. A batch id makes a call that reaches a key twice change nothing the second time.
     */
    @Override
    public List<AllowanceGrant> settle(List<AllowanceChange> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        String batch = UUID.randomUUID().toString();
        List<List<String>> keys = new ArrayList<>(changes.size());
        List<List<String>> args = new ArrayList<>(changes.size());
        for (AllowanceChange change : changes) {
            keys.add(StateKeys.of(prefix, change.stateKey()).asList());
            List<String> a = new ArrayList<>(14);
            a.add("settle");
            a.add(time(change.nowNanos()));
            a.add(reportDaysOf(change.stateKey()));
            a.add(batch);
            a.add(Long.toString(change.spent()));
            a.add(Long.toString(change.returned()));
            a.add(Long.toString(change.wanted()));
            a.add(Long.toString(change.holdNanos() / 1000));
            bucket(a, change.planBucket());
            quota(a, change.quota());
            args.add(a);
        }
        Object[] answers = new Object[changes.size()];
        try {
            List<Integer> missing = pipeline(keys, args, answers, false);
            if (!missing.isEmpty()) {
                pipeline(keys, args, answers, true); // NOSCRIPT: the server forgot the script; EVAL caches it again
            }
        } catch (JedisException e) {
            throw unavailable("settle", e);
        }
        List<AllowanceGrant> grants = new ArrayList<>(answers.length);
        for (Object answer : answers) {
            if (answer instanceof List<?> values) {
                grants.add(new AllowanceGrant(longAt(values, 0), longAt(values, 1), longAt(values, 2), longAt(values, 3)));
            } else {
                grants.add(AllowanceGrant.NONE);
            }
        }
        return grants;
    }

    /**
     * Sends the calls not answered yet in one pipeline; returns the indexes Redis answered NOSCRIPT. With {@code eval},
     * only those are sent, with the script's source.
     */
    private List<Integer> pipeline(List<List<String>> keys, List<List<String>> args, Object[] answers, boolean eval) {
        List<Integer> sent = new ArrayList<>();
        List<Response<Object>> responses = new ArrayList<>();
        try (AbstractPipeline pipeline = redis.pipelined()) {
            for (int i = 0; i < answers.length; i++) {
                if (answers[i] == null) {
                    sent.add(i);
                    responses.add(eval ? pipeline.eval(SCRIPT.source, keys.get(i), args.get(i))
                            : pipeline.evalsha(SCRIPT.sha, keys.get(i), args.get(i)));
                }
            }
            pipeline.sync();
        }
        List<Integer> noScript = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            try {
                answers[sent.get(i)] = responses.get(i).get();
            } catch (JedisException e) {
                if (!eval && Script.isNoScript(e)) {
                    noScript.add(sent.get(i));
                } else {
                    throw e;
                }
            }
        }
        return noScript;
    }

    @Override
    public List<DailyUsage> dailyUsage(String stateKey, long fromEpochDay, long toEpochDay) {
        Map<String, String> days;
        try {
            days = redis.hgetAll(StateKeys.of(prefix, stateKey).days());
        } catch (JedisException e) {
            throw unavailable("read usage", e);
        }
        List<DailyUsage> usage = new ArrayList<>();
        for (Map.Entry<String, String> day : days.entrySet()) {
            String field = day.getKey();
            if (field.equals("last") || field.endsWith("q")) {
                continue;
            }
            long epochDay = Long.parseLong(field);
            if (epochDay >= fromEpochDay && epochDay <= toEpochDay) {
                String counter = days.get(field + "q");
                usage.add(new DailyUsage(epochDay, Long.parseLong(day.getValue()), counter == null ? 0 : parse(counter)));
            }
        }
        usage.sort(java.util.Comparator.comparingLong(DailyUsage::epochDay));
        return usage;
    }

    @Override
    public long quotaUsed(String stateKey, QuotaWindow window) {
        List<String> values;
        try {
            values = redis.hmget(StateKeys.of(prefix, stateKey).state(), "q.s", "q.u");
        } catch (JedisException e) {
            throw unavailable("read a quota", e);
        }
        if (values.get(0) == null || parse(values.get(0)) != window.startMillis()) {
            return 0;
        }
        return values.get(1) == null ? 0 : parse(values.get(1));
    }

    @Override
    public long updateQuota(String stateKey, QuotaWindow window, QuotaUpdate update, long nowNanos) {
        List<String> args = List.of("quota", time(nowNanos), reportDays, Long.toString(window.startMillis()),
                Long.toString(window.endMillis()), Long.toString(window.limit()),
                update.kind() == QuotaUpdate.Kind.SET_USED ? "set" : "add", Long.toString(update.value()));
        return toLong(run(StateKeys.of(prefix, stateKey), args, "update a quota"));
    }

    /** Shares the key catalog through Redis, unless turned off with {@link Builder#shareKeys(boolean)}. */
    @Override
    public void started(StoreContext context) {
        if (!shareKeys) {
            return;
        }
        try {
            RedisCatalog shared = new RedisCatalog(redis, prefix, context, catalogPollInterval);
            catalog = shared;
            context.useKeyDirectory(shared);
        } catch (JedisException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: could not share the key catalog through Redis at {0} ({1}); this "
                    + "instance uses its plan file''s keys, and key changes through the admin API apply to it only",
                    description, e.getMessage());
        }
    }

    /** The key catalog every instance on this Redis shares, to add, disable or move keys at run time. */
    public RedisCatalog catalog() {
        RedisCatalog current = catalog;
        if (current == null) {
            throw new IllegalStateException("usage-plans: the key catalog is not shared (no engine started on this store, "
                    + "or shareKeys(false))");
        }
        return current;
    }

    /** The client this store uses. */
    public UnifiedJedis redis() {
        return redis;
    }

    /** The Redis key names of the state of key {@code keyName} on plan {@code planName}: state hash, then usage hash. */
    public List<String> redisKeys(String keyName, String planName) {
        return StateKeys.of(prefix, UsageStore.stateKey(keyName, planName)).asList();
    }

    @Override
    public void close() {
        RedisCatalog current = catalog;
        if (current != null) {
            current.close();
        }
        if (ownsClient) {
            redis.close();
        }
    }

    /**
     * Whether Redis answers now, for the readiness check. With the shared key catalog its poll (every 250 ms) is the
     * heartbeat, so this never waits; without it, one {@code EXISTS}, bounded by the store's timeout.
     */
    @Override
    public io.usageplans.spi.StoreHealth health() {
        RedisCatalog current = catalog;
        if (current != null) {
            return current.reachable() ? new io.usageplans.spi.StoreHealth(true, 1, "")
                    : new io.usageplans.spi.StoreHealth(false, 0, "Redis at " + description + " does not answer");
        }
        try {
            redis.exists(prefix + ":{health}"); // a keyed command, so that a Redis Cluster routes it too
            return new io.usageplans.spi.StoreHealth(true, 1, "");
        } catch (JedisException e) {
            return new io.usageplans.spi.StoreHealth(false, 0, "Redis at " + description + " does not answer: " + e.getMessage());
        }
    }

    private Object run(StateKeys keys, List<String> args, String what) {
        try {
            return SCRIPT.run(redis, keys.asList(), args);
        } catch (JedisException e) {
            throw unavailable(what, e);
        }
    }

    private UsageStoreUnavailableException unavailable(String what, JedisException e) {
        return new UsageStoreUnavailableException("usage-plans: Redis at " + description + " could not " + what + ": "
                + e.getMessage(), e);
    }

    private String time(long nowNanos) {
        return serverTime ? "" : Long.toString(Math.floorDiv(nowNanos, 1000L));
    }

    private static void bucket(List<String> args, BucketSpec spec) {
        if (spec == null) {
            args.add("");
            args.add("");
            args.add("");
        } else {
            args.add(spec.id());
            args.add(Long.toString(spec.capacity()));
            args.add(Long.toString(spec.nanosToFill()));
        }
    }

    private static void quota(List<String> args, QuotaWindow quota) {
        if (quota == null) {
            args.add("");
            args.add("");
            args.add("");
        } else {
            args.add(Long.toString(quota.startMillis()));
            args.add(Long.toString(quota.endMillis()));
            args.add(Long.toString(quota.limit()));
        }
    }

    private static long longAt(List<?> values, int index) {
        return toLong(values.get(index));
    }

    private static long toLong(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof byte[] bytes) {
            return parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        return parse(String.valueOf(value));
    }

    /** A number the script wrote: an integer, or a whole double in Lua's notation. */
    private static long parse(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(value);
        }
    }

    /** Configures a {@link RedisUsageStore}. */
    public static final class Builder {
        private final UnifiedJedis redis;
        private boolean ownsClient;
        private String keyPrefix = "usageplans";
        private int reportDays = 90;
        private boolean serverTime = true;
        private boolean shareKeys = true;
        private Duration catalogPollInterval = Duration.ofMillis(250);
        private String description = "the configured server";
        private Duration timeout;

        private Builder(UnifiedJedis redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The start of every Redis key this store writes ({@code usageplans}): several applications can share a Redis. */
        public Builder keyPrefix(String value) {
            if (value == null || value.isBlank() || value.contains("{") || value.contains("}")) {
                throw new IllegalArgumentException("keyPrefix must be a non-empty name without braces, was '" + value + "'");
            }
            this.keyPrefix = value;
            return this;
        }

        /** Days of per-key daily usage kept for reports after the last use; 90 by default, 0 keeps none. */
        public Builder usageReportDays(int days) {
            if (days < 0) {
                throw new IllegalArgumentException("usageReportDays must be 0 or more, was " + days);
            }
            this.reportDays = days;
            return this;
        }

        /**
         * Whether buckets run on Redis's clock ({@code TIME}, the default), or on the time of each request from the
         * engine's clock ({@code false}: tests that move a clock, or a single application server).
         */
        public Builder serverTime(boolean value) {
            this.serverTime = value;
            return this;
        }

        /** Whether keys are shared through Redis (default); off, each instance uses its own plan file's keys. */
        public Builder shareKeys(boolean value) {
            this.shareKeys = value;
            return this;
        }

        /** How often each instance looks for key changes (250 ms by default, so a change is everywhere within 1 s). */
        public Builder catalogPollInterval(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("catalogPollInterval must be positive, was " + value);
            }
            this.catalogPollInterval = value;
            return this;
        }

        /**
         * How long a request waits for a decision (the client's timeout): a decision Redis runs later than that, because
         * it was stuck or the connection slow, changes nothing, since its request already got the plan's fail mode.
         * The store keeps an estimate of Redis's clock (one {@code TIME} every 10 s) for it. Unset (the default for a
         * client built elsewhere): a late decision counts, which admits fewer requests, never more.
         */
        public Builder timeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + value);
            }
            this.timeout = value;
            return this;
        }

        /** Close the client when the store is closed (a client created for the store). */
        public Builder ownsClient(boolean value) {
            this.ownsClient = value;
            return this;
        }

        /** How messages name the server (a URI without its password). */
        public Builder description(String value) {
            this.description = Objects.requireNonNull(value, "description");
            return this;
        }

        public RedisUsageStore build() {
            return new RedisUsageStore(this);
        }
    }
}
