package io.usageplans.hazelcast;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.config.SharedPlans;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.store.shared.CoalescingRunner;
import io.usageplans.spi.StoreContext;

/**
 * The API keys and plans shared by every member. Keys: a map of key name to {@link KeyRecord} (hashes only). Each
 * member seeds it with its plan file's keys (the first member's version wins), mirrors it through an entry listener,
 * and recompiles its engine's catalog on every change, so a key added, disabled or moved to another plan on one member
 * is enforced on all of them within moments. It is the engine's {@link KeyDirectory}, so the admin operations change
 * keys here. Plans: one document in the map {@value #PLANS_MAP} ({@link SharedPlans}: seeded from the first member's
 * plan file, replaced by a member with a new one), changed with compare-and-set and heard by every member through an
 * entry listener as the keys are; it is the engine's {@link io.usageplans.spi.PlanDirectory}.
 */
public final class ClusterCatalog implements KeyDirectory, AutoCloseable {

    /** The map that holds the shared plans document, under {@value #PLANS_ENTRY}; apart from the keys' map. */
    public static final String PLANS_MAP = "usage-plans-plans";
    static final String PLANS_ENTRY = "plans";

    private static final System.Logger LOG = System.getLogger(ClusterCatalog.class.getName());

    private static final Serializers.KeyRecordSerializer SERIALIZER = new Serializers.KeyRecordSerializer();

    /** Values are KeyRecords, or compact GenericRecords on an instance without our serializers (see {@link #asRecords}). */
    private final IMap<String, Object> keys;
    /** Set once the instance could not serialize a KeyRecord (an application server's own, like Payara's). */
    private volatile boolean asRecords;
    private final StoreContext engine;
    private final Map<String, KeyRecord> mirror = new ConcurrentHashMap<>();
    private final UUID listener;
    private final IMap<String, String> plansMap;
    private final SharedPlans plans;
    private final UUID plansListener;
    /** Rebuilds the catalog once for every burst of key events heard from the cluster (an import, a reload). */
    private final CoalescingRunner heardKeys = new CoalescingRunner("usage-plans-hazelcast-catalog", this::recompile);

    ClusterCatalog(IMap<String, Object> keys, IMap<String, String> plansMap, StoreContext engine) {
        this.keys = keys;
        this.engine = engine;
        this.plansMap = plansMap;
        Catalog planFile = engine.catalog();
        this.plans = new SharedPlans(new PlansEntry(plansMap), engine, this, "Hazelcast map " + PLANS_MAP);
        this.plansListener = plansMap.addEntryListener(new PlansListener(), false); // it reads the entry again
        this.listener = keys.addEntryListener(new Listener(), true);
        keys.forEach((name, value) -> mirror.put(name, recordOf(value)));
        plans.start(sharedKeys()); // before the plan file's keys, which may name plans the cluster does not have yet
        for (ApiKey key : planFile.apiKeys()) {
            putIfAbsent(key.name(), KeyRecord.of(key));
        }
        keys.forEach((name, value) -> mirror.put(name, recordOf(value)));
        recompile();
        engine.usePlanDirectory(plans);
    }

    /** The shared plans: this member's view of them, and where they are changed (also {@code engine.planDirectory()}). */
    public SharedPlans plans() {
        return plans;
    }

    /** Adds or replaces a key on every member. */
    public void putKey(ApiKey key) {
        check(key.plans(), key.name());
        KeyRecord record = KeyRecord.of(key);
        if (!asRecords) {
            try {
                keys.put(key.name(), record);
                applied(key.name(), record);
                return;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
            }
        }
        keys.put(key.name(), GenericRecords.write(SERIALIZER, record));
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
        List<ApiKey> all = new ArrayList<>(mirror.values().stream().map(KeyRecord::toApiKey).toList());
        all.addAll(added);
        build(all); // validates names, values and plans as a whole before anything is shared
        List<String> done = new ArrayList<>();
        for (ApiKey key : added) {
            if (putIfAbsent(key.name(), KeyRecord.of(key)) != null) {
                done.forEach(keys::remove);
                throw new IllegalArgumentException("usage-plans: a key named '" + key.name() + "' was added meanwhile; nothing was added");
            }
            done.add(key.name());
        }
        added.forEach(key -> mirror.put(key.name(), KeyRecord.of(key)));
        recompile();
    }

    /** Changes a key on every member with compare-and-set, so concurrent changes from other members are not lost. */
    @Override
    public ApiKey update(String name, UnaryOperator<ApiKey> change) {
        for (int attempt = 0; attempt < 100; attempt++) {
            Object stored = keys.get(name);
            KeyRecord current = recordOf(stored);
            if (current == null) {
                throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
            }
            ApiKey changed = change.apply(current.toApiKey());
            if (!changed.name().equals(name)) {
                throw new IllegalArgumentException("a key's name cannot change: " + name + " -> " + changed.name());
            }
            check(changed.plans(), name);
            List<ApiKey> all = new ArrayList<>();
            for (KeyRecord other : mirror.values()) {
                if (!other.name().equals(name)) {
                    all.add(other.toApiKey());
                }
            }
            all.add(changed);
            build(all);
            KeyRecord next = KeyRecord.of(changed);
            if (keys.replace(name, stored, stored instanceof KeyRecord ? next : GenericRecords.write(SERIALIZER, next))) {
                applied(name, next);
                return changed;
            }
        }
        throw new IllegalStateException("usage-plans: key '" + name + "' changed concurrently 100 times; try again");
    }

    @Override
    public void remove(String name) {
        if (removeAll(List.of(name)).isEmpty()) {
            throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
        }
    }

    /**
     * Replaces each of {@code replaced} on every member: checked as a whole first, then written key by key (the last
     * writer of a key wins, as it would with {@link #update} given a new version), and this member's catalog compiled
     * once.
     */
    @Override
    public void replaceAll(List<ApiKey> replaced) {
        List<ApiKey> current = new ArrayList<>(mirror.size());
        mirror.values().forEach(record -> current.add(record.toApiKey()));
        build(KeyDirectory.replacing(current, replaced));
        for (ApiKey key : replaced) {
            KeyRecord next = KeyRecord.of(key);
            set(key.name(), next);
            mirror.put(key.name(), next);
        }
        recompile();
    }

    /** Removes the keys named that are still there from every member; this member's catalog is compiled once. */
    @Override
    public List<String> removeAll(Collection<String> names) {
        List<String> removed = new ArrayList<>();
        for (String name : names) {
            if (keys.remove(name) != null) {
                mirror.remove(name);
                removed.add(name);
            }
        }
        if (!removed.isEmpty()) {
            recompile();
        }
        return removed;
    }

    /** This member applies its own change at once; the listener brings it to the others (and here again, harmlessly). */
    private void applied(String name, KeyRecord record) {
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

    private List<ApiKey> sharedKeys() {
        List<ApiKey> shared = new ArrayList<>(mirror.size());
        for (KeyRecord record : mirror.values()) {
            shared.add(record.toApiKey());
        }
        return shared;
    }

    /** Rebuilds the engine's catalog from the shared plans and the shared keys; bad keys are skipped and logged. */
    private synchronized void recompile() {
        plans.install(sharedKeys(), (key, problem) -> LOG.log(System.Logger.Level.ERROR,
                "usage-plans: shared key ''{0}'' is ignored on this member: {1}", key.name(), problem));
    }

    /** The shared plans with {@code apiKeys}, validated as a whole. */
    private Catalog build(List<ApiKey> apiKeys) {
        return engine.catalog().withApiKeys(apiKeys);
    }

    @Override
    public void close() {
        heardKeys.close();
        try {
            keys.removeEntryListener(listener);
            plansMap.removeEntryListener(plansListener);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "usage-plans: could not remove the catalog listener: {0}", e.toString());
        }
    }

    /** The plans document: one entry of its own map, compared and set by Hazelcast on the entry's owner. */
    private record PlansEntry(IMap<String, String> map) implements SharedPlans.Document {

        @Override
        public String get() {
            return map.get(PLANS_ENTRY);
        }

        @Override
        public boolean putIfAbsent(String text) {
            return map.putIfAbsent(PLANS_ENTRY, text) == null;
        }

        @Override
        public boolean replace(String expected, String text) {
            return map.replace(PLANS_ENTRY, expected, text);
        }
    }

    /** Hears every change of the plans document, on every member (and here again, harmlessly, after its own). */
    private final class PlansListener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            heard();
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            heard();
        }

        private void heard() {
            plans.onDocumentChanged(ClusterCatalog.this::recompile);
        }
    }

    /** Puts {@code record} unless the name is taken; as a GenericRecord when the instance cannot serialize ours. */
    private Object putIfAbsent(String name, KeyRecord record) {
        if (!asRecords) {
            try {
                return keys.putIfAbsent(name, record);
            } catch (HazelcastSerializationException e) {
                asRecords = true;
            }
        }
        return keys.putIfAbsent(name, GenericRecords.write(SERIALIZER, record));
    }

    /** Writes {@code record}, as a GenericRecord when the instance cannot serialize ours. */
    private void set(String name, KeyRecord record) {
        if (!asRecords) {
            try {
                keys.set(name, record);
                return;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
            }
        }
        keys.set(name, GenericRecords.write(SERIALIZER, record));
    }

    private static KeyRecord recordOf(Object stored) {
        return GenericRecords.read(SERIALIZER, KeyRecord.class, stored);
    }

    private final class Listener implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
            EntryRemovedListener<String, Object> {

        @Override
        public void entryAdded(EntryEvent<String, Object> event) {
            mirror.put(event.getKey(), Objects.requireNonNull(recordOf(event.getValue())));
            heardKeys.request();
        }

        @Override
        public void entryUpdated(EntryEvent<String, Object> event) {
            mirror.put(event.getKey(), Objects.requireNonNull(recordOf(event.getValue())));
            heardKeys.request();
        }

        @Override
        public void entryRemoved(EntryEvent<String, Object> event) {
            mirror.remove(event.getKey());
            heardKeys.request();
        }
    }
}
