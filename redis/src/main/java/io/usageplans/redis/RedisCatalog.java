package io.usageplans.redis;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.config.SharedPlans;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The API keys shared by every instance on one Redis: a hash of key name to key record (hashes of key values only,
 * never a value) and a version number that every change raises, both changed only by one Lua script. Each instance
 * seeds it with its plan file's keys (the first instance's version wins), polls the version every interval (250 ms:
 * one {@code GET}) and, when it moved, reads the keys and recompiles its engine's catalog, so a key added, disabled or
 * moved to another plan on one instance is enforced on every instance within a second. Polling rather than pub/sub:
 * a message published while an instance reconnects is lost, a version is not. When Redis lost the catalog (a restart
 * without persistence), the instances write back the keys they know. The plans are one document under its own Redis
 * key beside them ({@code <prefix>:{keys}:plans}, {@link SharedPlans}: seeded from the first instance's plan file,
 * replaced by an instance with a new one), changed with compare-and-set by a Lua script that raises the same version,
 * so the same poll brings plan changes to every instance; it is the engine's {@link io.usageplans.spi.PlanDirectory}.
 */
public final class RedisCatalog implements KeyDirectory, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisCatalog.class.getName());
    private static final Script SCRIPT = Script.load("catalog.lua");
    private static final Script PLANS_SCRIPT = Script.load("plans.lua");
    private static final int SEED_BATCH = 1000;

    private final UnifiedJedis redis;
    private final List<String> redisKeys;
    private final StoreContext engine;
    private final List<String> plansKeys;
    private final SharedPlans plans;
    private final Map<String, String> mirror = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private volatile String seenVersion;
    private volatile boolean failing;

    RedisCatalog(UnifiedJedis redis, String prefix, StoreContext engine, Duration pollInterval) {
        this.redis = redis;
        this.redisKeys = List.of(prefix + ":{keys}", prefix + ":{keys}:v");
        this.engine = engine;
        this.plansKeys = List.of(prefix + ":{keys}:plans", prefix + ":{keys}:v");
        Catalog planFile = engine.catalog();
        this.plans = new SharedPlans(new PlansKey(), engine, this, "Redis key " + plansKeys.get(0));
        mirror.putAll(redis.hgetAll(redisKeys.get(0)));
        plans.start(sharedKeys()); // before the plan file's keys, which may name plans the others do not have yet
        List<String> records = new ArrayList<>();
        for (ApiKey key : planFile.apiKeys()) {
            records.add(key.name());
            records.add(encode(key));
        }
        seed(records);
        refresh();
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "usage-plans-redis-catalog");
            thread.setDaemon(true);
            return thread;
        });
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        engine.usePlanDirectory(plans);
    }

    /** The shared plans: this instance's view of them, and where they are changed (also {@code engine.planDirectory()}). */
    public SharedPlans plans() {
        return plans;
    }

    /** Adds or replaces a key on every instance. */
    public synchronized void putKey(ApiKey key) {
        check(key.plans(), key.name());
        String record = encode(key);
        SCRIPT.run(redis, redisKeys, List.of("put", key.name(), record));
        applied(key.name(), record);
    }

    /** Enables or disables a key on every instance. */
    public void setEnabled(String name, boolean enabled) {
        update(name, key -> key.withEnabled(enabled));
    }

    /** Moves a key to other plans on every instance. */
    public void setPlans(String name, List<String> plans) {
        update(name, key -> key.withPlans(plans));
    }

    /** Removes a key on every instance. */
    public void removeKey(String name) {
        remove(name);
    }

    @Override
    public List<ApiKey> keys() {
        return engine.catalog().apiKeys();
    }

    /** Adds the keys on every instance, or none of them if one is invalid or its name is taken meanwhile. */
    @Override
    public synchronized void add(List<ApiKey> added) {
        List<ApiKey> all = new ArrayList<>(mirror.size() + added.size());
        mirror.values().forEach(record -> all.add(decode(record)));
        all.addAll(added);
        engine.catalog().withApiKeys(all); // validates names, values and plans as a whole before anything is shared
        List<String> args = new ArrayList<>(1 + 2 * added.size());
        args.add("add");
        for (ApiKey key : added) {
            args.add(key.name());
            args.add(encode(key));
        }
        Object taken = SCRIPT.run(redis, redisKeys, args);
        if (taken != null && !asString(taken).isEmpty()) {
            throw new IllegalArgumentException("usage-plans: a key named '" + asString(taken) + "' was added meanwhile; nothing was added");
        }
        for (int i = 1; i < args.size(); i += 2) {
            mirror.put(args.get(i), args.get(i + 1));
        }
        recompile();
    }

    /** Changes a key on every instance with compare-and-set, so concurrent changes from other instances are not lost. */
    @Override
    public ApiKey update(String name, UnaryOperator<ApiKey> change) {
        String field = redisKeys.get(0);
        for (int attempt = 0; attempt < 100; attempt++) {
            String stored = redis.hget(field, name);
            if (stored == null) {
                throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
            }
            ApiKey changed = change.apply(decode(stored));
            if (!changed.name().equals(name)) {
                throw new IllegalArgumentException("a key's name cannot change: " + name + " -> " + changed.name());
            }
            check(changed.plans(), name);
            List<ApiKey> all = new ArrayList<>();
            mirror.forEach((other, record) -> {
                if (!other.equals(name)) {
                    all.add(decode(record));
                }
            });
            all.add(changed);
            engine.catalog().withApiKeys(all);
            String next = encode(changed);
            synchronized (this) { // not between a refresh's read of Redis and its copy into the mirror
                if (asLong(SCRIPT.run(redis, redisKeys, List.of("replace", name, stored, next))) == 1) {
                    applied(name, next);
                    return changed;
                }
            }
        }
        throw new IllegalStateException("usage-plans: key '" + name + "' changed concurrently 100 times; try again");
    }

    /**
     * Replaces each of {@code replaced} on every instance, all or none: checked as a whole, then written by one script
     * that raises the version once (the others compile once at their next poll), and compiled here once.
     */
    @Override
    public synchronized void replaceAll(List<ApiKey> replaced) {
        List<ApiKey> current = new ArrayList<>(mirror.size());
        mirror.values().forEach(record -> current.add(decode(record)));
        engine.catalog().withApiKeys(KeyDirectory.replacing(current, replaced)); // checked before anything is shared
        List<String> args = new ArrayList<>(1 + 2 * replaced.size());
        args.add("replaceAll");
        for (ApiKey key : replaced) {
            args.add(key.name());
            args.add(encode(key));
        }
        Object missing = SCRIPT.run(redis, redisKeys, args);
        if (missing != null && !asString(missing).isEmpty()) {
            throw new NoSuchElementException("usage-plans: no key named '" + asString(missing) + "'");
        }
        for (int i = 1; i < args.size(); i += 2) {
            mirror.put(args.get(i), args.get(i + 1));
        }
        recompile();
    }

    /** Removes the keys named that are still there from every instance, with one script; compiled here once. */
    @Override
    public synchronized List<String> removeAll(java.util.Collection<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(1 + names.size());
        args.add("removeAll");
        args.addAll(names);
        List<String> removed = new ArrayList<>();
        for (Object name : (List<?>) SCRIPT.run(redis, redisKeys, args)) {
            removed.add(asString(name));
        }
        if (!removed.isEmpty()) {
            removed.forEach(mirror::remove);
            recompile();
        }
        return removed;
    }

    @Override
    public void remove(String name) {
        if (removeAll(List.of(name)).isEmpty()) {
            throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    /** This instance applies its own change at once; the others see the version move at their next poll. */
    private void applied(String name, String record) {
        mirror.put(name, record);
        recompile();
    }

    private void check(List<String> planNames, String key) {
        Catalog current = engine.catalog();
        for (String plan : planNames) {
            if (current.plan(plan).isEmpty()) {
                throw new IllegalArgumentException("usage-plans: key '" + key + "': unknown plan '" + plan + "'; known plans are "
                        + current.plans().stream().map(Plan::name).toList());
            }
        }
    }

    private void seed(List<String> records) {
        for (int from = 0; from < records.size(); from += 2 * SEED_BATCH) {
            List<String> args = new ArrayList<>(1 + 2 * SEED_BATCH);
            args.add("seed");
            args.addAll(records.subList(from, Math.min(records.size(), from + 2 * SEED_BATCH)));
            SCRIPT.run(redis, redisKeys, args);
        }
    }

    /** Whether the last poll reached Redis: a heartbeat every poll interval, for the store's health. */
    boolean reachable() {
        return !failing;
    }

    /** One poll: the version moved, so the keys are read again; the catalog is gone from Redis, so it is written back. */
    private void poll() {
        try {
            String version = redis.get(redisKeys.get(1));
            if (version == null && seenVersion != null) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: the shared key catalog is gone from Redis (a restart without "
                        + "persistence?); writing back the {0} keys this instance knows", mirror.size());
                List<String> records = new ArrayList<>(2 * mirror.size());
                mirror.forEach((name, record) -> {
                    records.add(name);
                    records.add(record);
                });
                seed(records);
                PLANS_SCRIPT.run(redis, plansKeys, List.of("seed", plans.document()));
                version = redis.get(redisKeys.get(1));
            }
            if (version != null && !version.equals(seenVersion)) {
                refresh();
            }
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "usage-plans: the shared key catalog is reachable again");
            }
        } catch (JedisException | IllegalArgumentException e) {
            if (!failing) {
                failing = true; // one line per outage, not one per poll
                LOG.log(System.Logger.Level.WARNING, "usage-plans: cannot read the shared key catalog from Redis ({0}); this "
                        + "instance keeps the keys it has until Redis answers again", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: the shared key catalog could not be applied", e);
        }
    }

    /**
     * Reads the version, then every key and the plans, and recompiles; a change made meanwhile moves the version again.
     * This instance's own changes take the same lock around their write and their copy into the mirror, so a refresh
     * that read Redis before such a write cannot put the older keys back after it.
     */
    private synchronized void refresh() {
        String version = redis.get(redisKeys.get(1));
        Map<String, String> shared = redis.hgetAll(redisKeys.get(0));
        mirror.keySet().retainAll(shared.keySet());
        mirror.putAll(shared);
        seenVersion = version;
        plans.heard(() -> redis.get(plansKeys.get(0))); // read while no plan change of this instance is under way
        recompile();
    }

    /** The shared keys this instance can read; one it cannot is logged and left out. */
    private List<ApiKey> sharedKeys() {
        List<ApiKey> keys = new ArrayList<>(mirror.size());
        for (Map.Entry<String, String> record : mirror.entrySet()) {
            try {
                keys.add(decode(record.getValue()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "usage-plans: shared key ''{0}'' cannot be read and is ignored on this "
                        + "instance: {1}", record.getKey(), e.getMessage());
            }
        }
        return keys;
    }

    /** Rebuilds the engine's catalog from the shared plans and the shared keys; bad keys are skipped and logged. */
    private synchronized void recompile() {
        plans.install(sharedKeys(), (key, problem) -> LOG.log(System.Logger.Level.ERROR,
                "usage-plans: shared key ''{0}'' is ignored on this instance: {1}", key.name(), problem));
    }

    /** The plans document: one Redis string, compared and set by a Lua script that also raises the catalog's version. */
    private final class PlansKey implements SharedPlans.Document {

        @Override
        public String get() {
            return redis.get(plansKeys.get(0));
        }

        @Override
        public boolean putIfAbsent(String text) {
            return asLong(PLANS_SCRIPT.run(redis, plansKeys, List.of("seed", text))) == 1;
        }

        @Override
        public boolean replace(String expected, String text) {
            return asLong(PLANS_SCRIPT.run(redis, plansKeys, List.of("replace", expected, text))) == 1;
        }
    }

    /**
     * A key as Redis keeps it: name, description, enabled, plans, the SHA-256 of its value and, after a rotation, of
     * the previous value with the end of its grace period; each field URL-encoded, separated by spaces.
     */
    static String encode(ApiKey key) {
        HexFormat hex = HexFormat.of();
        List<String> plans = new ArrayList<>();
        key.plans().forEach(plan -> plans.add(field(plan)));
        return String.join(" ", field(key.name()), field(key.description() == null ? "" : key.description()),
                Boolean.toString(key.enabled()), plans.isEmpty() ? "-" : String.join(",", plans),
                hex.formatHex(key.valueSha256()),
                key.previousValueSha256() == null ? "-" : hex.formatHex(key.previousValueSha256()),
                key.previousValidUntil() == null ? "0" : Long.toString(key.previousValidUntil().toEpochMilli()));
    }

    static ApiKey decode(String record) {
        String[] fields = record.split(" ", -1);
        if (fields.length != 7) {
            throw new IllegalArgumentException("a key record has 7 fields, this one " + fields.length);
        }
        List<String> plans = new ArrayList<>();
        if (!fields[3].equals("-")) {
            for (String plan : fields[3].split(",")) {
                plans.add(unfield(plan));
            }
        }
        String description = unfield(fields[1]);
        ApiKey key = ApiKey.builder(unfield(fields[0])).description(description.isEmpty() ? null : description)
                .enabled(Boolean.parseBoolean(fields[2])).plans(plans).valueSha256(fields[4]).build();
        return fields[5].equals("-") ? key
                : key.withPrevious(HexFormat.of().parseHex(fields[5]), Instant.ofEpochMilli(Long.parseLong(fields[6])));
    }

    private static String field(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String unfield(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private static String asString(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static long asLong(Object reply) {
        return reply instanceof Long value ? value : Long.parseLong(asString(reply));
    }
}
