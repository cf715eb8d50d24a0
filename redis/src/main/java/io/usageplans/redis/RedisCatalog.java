package io.usageplans.redis;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.usageplans.ApiKey;
import io.usageplans.config.SharedKeys;
import io.usageplans.config.SharedPlans;
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
 * The logic the grids share is {@link SharedKeys}'s; this class says how Redis stores and writes keys, and polls.
 */
public final class RedisCatalog extends SharedKeys<String, String> {

    private static final Script SCRIPT = Script.load("catalog.lua");
    private static final Script PLANS_SCRIPT = Script.load("plans.lua");
    private static final int SEED_BATCH = 1000;

    private final UnifiedJedis redis;
    private final List<String> redisKeys;
    private final List<String> plansKeys;
    private final ScheduledExecutorService poller;
    private volatile String seenVersion;
    private volatile boolean failing;

    RedisCatalog(UnifiedJedis redis, String prefix, StoreContext engine, Duration pollInterval) {
        super(engine, new PlansKey(redis, plansKeys(prefix)), "Redis key " + plansKeys(prefix).get(0), "instance");
        this.redis = redis;
        this.redisKeys = List.of(prefix + ":{keys}", prefix + ":{keys}:v");
        this.plansKeys = plansKeys(prefix);
        start();
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "usage-plans-redis-catalog");
            thread.setDaemon(true);
            return thread;
        });
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The plans document and the version it raises, beside the keys. */
    private static List<String> plansKeys(String prefix) {
        return List.of(prefix + ":{keys}:plans", prefix + ":{keys}:v");
    }

    // This instance's own writes hold the lock around their write and their copy into the mirror, so that a refresh
    // (which reads Redis and copies into the mirror under the same lock) cannot put older keys back after them.

    @Override
    public synchronized void putKey(ApiKey key) {
        super.putKey(key);
    }

    @Override
    public synchronized void add(List<ApiKey> added) {
        super.add(added);
    }

    /**
     * Replaces each of {@code replaced} on every instance, all or none: checked as a whole, then written by one script
     * that raises the version once (the others compile once at their next poll), and compiled here once.
     */
    @Override
    public synchronized void replaceAll(List<ApiKey> replaced) {
        super.replaceAll(replaced);
    }

    /** Removes the keys named that are still there from every instance, with one script; compiled here once. */
    @Override
    public synchronized List<String> removeAll(Collection<String> names) {
        return super.removeAll(names);
    }

    @Override
    protected synchronized boolean replaceAndApply(String name, String stored, String next) {
        return super.replaceAndApply(name, stored, next);
    }

    @Override
    protected Map<String, String> readAll() {
        return redis.hgetAll(redisKeys.get(0));
    }

    @Override
    protected String read(String name) {
        return redis.hget(redisKeys.get(0), name);
    }

    @Override
    protected String recordIn(String stored) {
        return stored;
    }

    @Override
    protected String recordOf(ApiKey key) {
        return encode(key);
    }

    @Override
    protected ApiKey keyOf(String record) {
        return decode(record);
    }

    @Override
    protected void write(String name, String record) {
        SCRIPT.run(redis, redisKeys, List.of("put", name, record));
    }

    @Override
    protected boolean replace(String name, String stored, String next) {
        return asLong(SCRIPT.run(redis, redisKeys, List.of("replace", name, stored, next))) == 1;
    }

    /** All keys with one script, which raises the version once. */
    @Override
    protected void insert(Map<String, String> records) {
        Object taken = SCRIPT.run(redis, redisKeys, args("add", records));
        if (taken != null && !asString(taken).isEmpty()) {
            throw new IllegalArgumentException("usage-plans: a key named '" + asString(taken) + "' was added meanwhile; nothing was added");
        }
    }

    /** All keys with one script, which raises the version once; none if one is gone. */
    @Override
    protected void writeAll(Map<String, String> records) {
        Object missing = SCRIPT.run(redis, redisKeys, args("replaceAll", records));
        if (missing != null && !asString(missing).isEmpty()) {
            throw new NoSuchElementException("usage-plans: no key named '" + asString(missing) + "'");
        }
    }

    @Override
    protected List<String> delete(Collection<String> names) {
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
        return removed;
    }

    /** In batches of 1000 keys, one script each. */
    @Override
    protected void seed(Map<String, String> records) {
        List<String> flat = args(null, records);
        for (int from = 0; from < flat.size(); from += 2 * SEED_BATCH) {
            List<String> args = new ArrayList<>(1 + 2 * SEED_BATCH);
            args.add("seed");
            args.addAll(flat.subList(from, Math.min(flat.size(), from + 2 * SEED_BATCH)));
            SCRIPT.run(redis, redisKeys, args);
        }
    }

    /** {@code command} (unless null), then name and record of each key. */
    private static List<String> args(String command, Map<String, String> records) {
        List<String> args = new ArrayList<>(1 + 2 * records.size());
        if (command != null) {
            args.add(command);
        }
        records.forEach((name, record) -> {
            args.add(name);
            args.add(record);
        });
        return args;
    }

    /** After seeding: the version, the keys and the plans as Redis has them now. */
    @Override
    protected void resync() {
        refresh();
    }

    @Override
    public void close() {
        poller.shutdownNow();
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
                log.log(System.Logger.Level.WARNING, "usage-plans: the shared key catalog is gone from Redis (a restart without "
                        + "persistence?); writing back the {0} keys this instance knows", mirror.size());
                seed(mirror);
                PLANS_SCRIPT.run(redis, plansKeys, List.of("seed", plans().document()));
                version = redis.get(redisKeys.get(1));
            }
            if (version != null && !version.equals(seenVersion)) {
                refresh();
            }
            if (failing) {
                failing = false;
                log.log(System.Logger.Level.INFO, "usage-plans: the shared key catalog is reachable again");
            }
        } catch (JedisException | IllegalArgumentException e) {
            if (!failing) {
                failing = true; // one line per outage, not one per poll
                log.log(System.Logger.Level.WARNING, "usage-plans: cannot read the shared key catalog from Redis ({0}); this "
                        + "instance keeps the keys it has until Redis answers again", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "usage-plans: the shared key catalog could not be applied", e);
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
        plans().heard(() -> redis.get(plansKeys.get(0))); // read while no plan change of this instance is under way
        recompile();
    }

    /** The shared keys this instance can read; one it cannot is logged and left out. */
    @Override
    protected List<ApiKey> sharedKeys() {
        List<ApiKey> keys = new ArrayList<>(mirror.size());
        for (Map.Entry<String, String> record : mirror.entrySet()) {
            try {
                keys.add(decode(record.getValue()));
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.ERROR, "usage-plans: shared key ''{0}'' cannot be read and is ignored on this "
                        + "instance: {1}", record.getKey(), e.getMessage());
            }
        }
        return keys;
    }

    /** The plans document: one Redis string, compared and set by a Lua script that also raises the catalog's version. */
    private record PlansKey(UnifiedJedis redis, List<String> plansKeys) implements SharedPlans.Document {

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
