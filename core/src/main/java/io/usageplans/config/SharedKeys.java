package io.usageplans.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;
import io.usageplans.store.shared.CoalescingRunner;

/**
 * The API keys every member of a clustered store shares, with the logic the grids have in common, written once so
 * that a fix reaches Hazelcast, Infinispan and Redis alike: a mirror of the shared key records, the engine's
 * {@link KeyDirectory} operations (each checked as a whole with the shared plans before anything is shared, then
 * applied on this member at once), seeding from the plan file's keys (the first member's version wins), and the
 * compile of the engine's catalog from the {@link SharedPlans} and the mirror. A subclass says only how its grid
 * stores, reads and writes a key; its listener or poll brings the other members' changes into the mirror.
 *
 * <p>{@code S} is what the grid stores for a key (compared on {@link #update}); {@code R} is the record the mirror
 * holds. A subclass hands in where its grid keeps the {@link SharedPlans} document, calls {@link #start} once it is
 * ready, and keeps its grid's names, formats and threads. Grids that change one entry at a time and hear entry events
 * (Hazelcast, Infinispan) extend {@link PerEntry}; Redis, whose Lua scripts write a batch at once and whose instances
 * poll, extends this class. It lives beside {@link SharedPlans}, which it uses (the store packages name no config type).
 */
public abstract class SharedKeys<S, R> implements KeyDirectory, AutoCloseable {

    /** The mirror: this member's copy of the shared key records, by name. */
    protected final Map<String, R> mirror = new ConcurrentHashMap<>();
    protected final StoreContext engine;
    /** The logger of the grid's catalog class, so that logs keep its name. */
    protected final System.Logger log = System.getLogger(getClass().getName());
    private final SharedPlans plans;
    private final List<ApiKey> planFileKeys;
    private final String member;

    /**
     * Reads the plan file's keys and plans from the engine's catalog, so it is made before anything replaced it.
     *
     * @param plansDocument where the grid keeps the shared plans
     * @param where         names that document in logs ({@code Hazelcast map usage-plans-plans})
     * @param member        what a sharer is called in logs: {@code member} or {@code instance}
     */
    protected SharedKeys(StoreContext engine, SharedPlans.Document plansDocument, String where, String member) {
        this.engine = engine;
        this.member = member;
        this.planFileKeys = engine.catalog().apiKeys();
        this.plans = new SharedPlans(plansDocument, engine, this, where);
    }

    /** Every key the grid holds now, as records. */
    protected abstract Map<String, R> readAll();

    /** What the grid stores for key {@code name}, or null when there is none. */
    protected abstract S read(String name);

    /** The record of what the grid stores. */
    protected abstract R recordIn(S stored);

    /** The record of {@code key} as the grid shares it (hashes of its values, never a value). */
    protected abstract R recordOf(ApiKey key);

    /** The key a record stands for. */
    protected abstract ApiKey keyOf(R record);

    /** Writes {@code record} (the last writer wins). */
    protected abstract void write(String name, R record);

    /** Replaces key {@code name} with {@code next} if the grid still stores {@code stored}; whether it did. */
    protected abstract boolean replace(String name, S stored, R next);

    /** Writes each of {@code records} unless its name is taken (the first member's version wins). */
    protected abstract void seed(Map<String, R> records);

    /** Writes all of {@code records}, or none if a name is taken meanwhile (an IllegalArgumentException naming it). */
    protected abstract void insert(Map<String, R> records);

    /** Writes each of {@code records} (the last writer of a key wins). */
    protected abstract void writeAll(Map<String, R> records);

    /** Removes the keys named that are still there; the names removed. */
    protected abstract List<String> delete(Collection<String> names);

    /**
     * Seeds the grid with the plan file's keys and installs the shared catalog and plans: the mirror is read, the
     * shared plans started (before the plan file's keys, which may name plans the cluster does not have yet), the keys
     * seeded, the mirror read again and compiled ({@link #resync}); then the plans are the engine's directory.
     */
    protected final void start() {
        mirror.putAll(readAll());
        plans.start(sharedKeys());
        seed(records(planFileKeys));
        resync();
        engine.usePlanDirectory(plans);
    }

    /** Reads the grid's keys into the mirror again and compiles the catalog. */
    protected void resync() {
        mirror.putAll(readAll());
        recompile();
    }

    /** The shared plans: this member's view of them, and where they are changed (also {@code engine.planDirectory()}). */
    public SharedPlans plans() {
        return plans;
    }

    /** Adds or replaces a key on every member. */
    public void putKey(ApiKey key) {
        check(key.plans(), key.name());
        R record = recordOf(key);
        write(key.name(), record);
        applied(key.name(), record);
    }

    /** Enables or disables a key on every member. */
    public void setEnabled(String name, boolean enabled) {
        update(name, key -> key.withEnabled(enabled));
    }

    /** Moves a key to other plans on every member. */
    public void setPlans(String name, List<String> plans) {
        update(name, key -> key.withPlans(plans));
    }

    /** Removes a key on every member. */
    public void removeKey(String name) {
        remove(name);
    }

    @Override
    public List<ApiKey> keys() {
        return engine.catalog().apiKeys();
    }

    /** Adds the keys on every member, or none of them if one is invalid or its name is taken meanwhile. */
    @Override
    public void add(List<ApiKey> added) {
        List<ApiKey> all = mirroredKeys();
        all.addAll(added);
        build(all); // validates names, values and plans as a whole before anything is shared
        Map<String, R> records = records(added);
        insert(records);
        mirror.putAll(records);
        recompile();
    }

    /** Changes a key on every member with compare-and-set, so concurrent changes from other members are not lost. */
    @Override
    public ApiKey update(String name, UnaryOperator<ApiKey> change) {
        for (int attempt = 0; attempt < 100; attempt++) {
            S stored = read(name);
            if (stored == null) {
                throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
            }
            ApiKey changed = change.apply(keyOf(recordIn(stored)));
            if (!changed.name().equals(name)) {
                throw new IllegalArgumentException("a key's name cannot change: " + name + " -> " + changed.name());
            }
            check(changed.plans(), name);
            List<ApiKey> all = new ArrayList<>();
            mirror.forEach((other, record) -> {
                if (!other.equals(name)) {
                    all.add(keyOf(record));
                }
            });
            all.add(changed);
            build(all);
            if (replaceAndApply(name, stored, recordOf(changed))) {
                return changed;
            }
        }
        throw new IllegalStateException("usage-plans: key '" + name + "' changed concurrently 100 times; try again");
    }

    /** One compare-and-set of {@link #update}, applied on this member when it won. */
    protected boolean replaceAndApply(String name, S stored, R next) {
        if (!replace(name, stored, next)) {
            return false;
        }
        applied(name, next);
        return true;
    }

    @Override
    public void remove(String name) {
        if (removeAll(List.of(name)).isEmpty()) {
            throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
        }
    }

    /**
     * Replaces each of {@code replaced} on every member: checked as a whole first, then written (the last writer of a
     * key wins, as it would with {@link #update} given a new version), and this member's catalog compiled once.
     */
    @Override
    public void replaceAll(List<ApiKey> replaced) {
        build(KeyDirectory.replacing(mirroredKeys(), replaced)); // checked as a whole before anything is shared
        Map<String, R> records = records(replaced);
        writeAll(records);
        mirror.putAll(records);
        recompile();
    }

    /** Removes the keys named that are still there from every member; this member's catalog is compiled once. */
    @Override
    public List<String> removeAll(Collection<String> names) {
        List<String> removed = delete(names);
        if (!removed.isEmpty()) {
            removed.forEach(mirror::remove);
            recompile();
        }
        return removed;
    }

    /** This member applies its own change at once; the grid brings it to the others. */
    protected void applied(String name, R record) {
        mirror.put(name, record);
        recompile();
    }

    /** The shared keys in the mirror, for the catalog compile (a grid may leave out records it cannot read). */
    protected List<ApiKey> sharedKeys() {
        return mirroredKeys();
    }

    /** Every record in the mirror as a key, in a new list (a record that cannot be read fails the caller's check). */
    private List<ApiKey> mirroredKeys() {
        List<ApiKey> keys = new ArrayList<>(mirror.size() + 1);
        mirror.values().forEach(record -> keys.add(keyOf(record)));
        return keys;
    }

    /** Rebuilds the engine's catalog from the shared plans and the shared keys; bad keys are skipped and logged. */
    protected synchronized void recompile() {
        plans.install(sharedKeys(), (key, problem) -> log.log(System.Logger.Level.ERROR,
                "usage-plans: shared key ''{0}'' is ignored on this " + member + ": {1}", key.name(), problem));
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

    /** The shared plans with {@code apiKeys}, validated as a whole. */
    private Catalog build(List<ApiKey> apiKeys) {
        return engine.catalog().withApiKeys(apiKeys);
    }

    private Map<String, R> records(List<ApiKey> keys) {
        Map<String, R> records = new LinkedHashMap<>();
        keys.forEach(key -> records.put(key.name(), recordOf(key)));
        return records;
    }

    /**
     * Shared keys on a grid that changes one entry at a time (putIfAbsent, remove) and tells every member of each
     * change through entry events (Hazelcast, Infinispan): a listener calls {@link #heard} or {@link #heardRemoved}
     * and the catalog is compiled once per burst of such events (an import, a reload), not once per key.
     */
    public abstract static class PerEntry<S, R> extends SharedKeys<S, R> {

        private final CoalescingRunner heardKeys;

        /** @param threadName the thread that compiles after events ({@code usage-plans-hazelcast-catalog}) */
        protected PerEntry(StoreContext engine, SharedPlans.Document plansDocument, String where, String threadName) {
            super(engine, plansDocument, where, "member");
            this.heardKeys = new CoalescingRunner(threadName, this::recompile);
        }

        /** Writes {@code record} unless the name is taken; whether it wrote it. */
        protected abstract boolean putIfAbsent(String name, R record);

        /** Removes key {@code name}; whether it was there. */
        protected abstract boolean removeEntry(String name);

        /** Stops hearing the grid's events. */
        protected abstract void removeListeners();

        /** A listener heard key {@code name} added or changed (on any member, this one included, harmlessly). */
        protected void heard(String name, R record) {
            mirror.put(name, record);
            heardKeys.request();
        }

        /** A listener heard key {@code name} removed. */
        protected void heardRemoved(String name) {
            mirror.remove(name);
            heardKeys.request();
        }

        /** A listener heard the plans document change (on any member, this one included, harmlessly). */
        protected void heardPlans() {
            plans().onDocumentChanged(this::recompile);
        }

        @Override
        protected void seed(Map<String, R> records) {
            records.forEach(this::putIfAbsent);
        }

        @Override
        protected void insert(Map<String, R> records) {
            List<String> done = new ArrayList<>();
            for (Map.Entry<String, R> record : records.entrySet()) {
                if (!putIfAbsent(record.getKey(), record.getValue())) {
                    done.forEach(this::removeEntry);
                    throw new IllegalArgumentException("usage-plans: a key named '" + record.getKey()
                            + "' was added meanwhile; nothing was added");
                }
                done.add(record.getKey());
            }
        }

        @Override
        protected void writeAll(Map<String, R> records) {
            records.forEach(this::write);
        }

        @Override
        protected List<String> delete(Collection<String> names) {
            List<String> removed = new ArrayList<>();
            for (String name : names) {
                if (removeEntry(name)) {
                    removed.add(name);
                }
            }
            return removed;
        }

        /**
         * The plans document as entry {@code key} of a map of its own, compared and set atomically by the grid where
         * the entry lives (a Hazelcast IMap, an Infinispan Cache: both are ConcurrentMaps).
         */
        public record MapEntry(ConcurrentMap<String, String> map, String key) implements SharedPlans.Document {

            @Override
            public String get() {
                return map.get(key);
            }

            @Override
            public boolean putIfAbsent(String text) {
                return map.putIfAbsent(key, text) == null;
            }

            @Override
            public boolean replace(String expected, String text) {
                return map.replace(key, expected, text);
            }
        }

        @Override
        public void close() {
            heardKeys.close();
            try {
                removeListeners();
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.DEBUG, "usage-plans: could not remove the catalog listener: {0}", e.toString());
            }
        }
    }
}
