package io.usageplans.hazelcast;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.usageplans.ApiKey;
import io.usageplans.config.SharedKeys;
import io.usageplans.config.SharedPlans;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;

/**
 * The API keys and plans shared by every member. Keys: a map of key name to {@link KeyRecord} (hashes only). Each
 * member seeds it with its plan file's keys (the first member's version wins), mirrors it through an entry listener,
 * and recompiles its engine's catalog on every change, so a key added, disabled or moved to another plan on one member
 * is enforced on all of them within moments. It is the engine's {@link KeyDirectory}, so the admin operations change
 * keys here. Plans: one document in the map {@value #PLANS_MAP} ({@link SharedPlans}: seeded from the first member's
 * plan file, replaced by a member with a new one), changed with compare-and-set and heard by every member through an
 * entry listener as the keys are; it is the engine's {@link io.usageplans.spi.PlanDirectory}. The logic the grids share
 * is {@link SharedKeys}'s; this class says how Hazelcast stores, writes and hears a key.
 */
public final class ClusterCatalog extends SharedKeys.PerEntry<Object, KeyRecord> {

    /** The map that holds the shared plans document, under {@value #PLANS_ENTRY}; apart from the keys' map. */
    public static final String PLANS_MAP = "usage-plans-plans";
    static final String PLANS_ENTRY = "plans";

    private static final Serializers.KeyRecordSerializer SERIALIZER = new Serializers.KeyRecordSerializer();

    /** Values are KeyRecords, or compact GenericRecords on an instance without our serializers (see {@link #asRecords}). */
    private final IMap<String, Object> keys;
    /** Set once the instance could not serialize a KeyRecord (an application server's own, like Payara's). */
    private volatile boolean asRecords;
    private final UUID listener;
    private final IMap<String, String> plansMap;
    private final UUID plansListener;

    ClusterCatalog(IMap<String, Object> keys, IMap<String, String> plansMap, StoreContext engine) {
        super(engine, new MapEntry(plansMap, PLANS_ENTRY), "Hazelcast map " + PLANS_MAP, "usage-plans-hazelcast-catalog");
        this.keys = keys;
        this.plansMap = plansMap;
        this.plansListener = plansMap.addEntryListener(new PlansListener(), false); // it reads the entry again
        this.listener = keys.addEntryListener(new Listener(), true);
        start();
    }

    @Override
    protected Map<String, KeyRecord> readAll() {
        Map<String, KeyRecord> all = new HashMap<>();
        keys.forEach((name, value) -> all.put(name, recordIn(value)));
        return all;
    }

    @Override
    protected Object read(String name) {
        return keys.get(name);
    }

    @Override
    protected KeyRecord recordIn(Object stored) {
        return GenericRecords.read(SERIALIZER, KeyRecord.class, stored);
    }

    @Override
    protected KeyRecord recordOf(ApiKey key) {
        return KeyRecord.of(key);
    }

    @Override
    protected ApiKey keyOf(KeyRecord record) {
        return record.toApiKey();
    }

    /** Writes {@code record}, as a GenericRecord when the instance cannot serialize ours. */
    @Override
    protected void write(String name, KeyRecord record) {
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

    /** Puts {@code record} unless the name is taken; as a GenericRecord when the instance cannot serialize ours. */
    @Override
    protected boolean putIfAbsent(String name, KeyRecord record) {
        if (!asRecords) {
            try {
                return keys.putIfAbsent(name, record) == null;
            } catch (HazelcastSerializationException e) {
                asRecords = true;
            }
        }
        return keys.putIfAbsent(name, GenericRecords.write(SERIALIZER, record)) == null;
    }

    /** Compare-and-set on the entry's owner; {@code next} in the form {@code stored} has. */
    @Override
    protected boolean replace(String name, Object stored, KeyRecord next) {
        return keys.replace(name, stored, stored instanceof KeyRecord ? next : GenericRecords.write(SERIALIZER, next));
    }

    @Override
    protected boolean removeEntry(String name) {
        return keys.remove(name) != null;
    }

    @Override
    protected void removeListeners() {
        keys.removeEntryListener(listener);
        plansMap.removeEntryListener(plansListener);
    }

    /** Hears every change of the plans document, on every member (and here again, harmlessly, after its own). */
    private final class PlansListener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            heardPlans();
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            heardPlans();
        }
    }

    /** Hears every change of the keys, on every member (and here again, harmlessly, after its own). */
    private final class Listener implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
            EntryRemovedListener<String, Object> {

        @Override
        public void entryAdded(EntryEvent<String, Object> event) {
            heard(event.getKey(), Objects.requireNonNull(recordIn(event.getValue())));
        }

        @Override
        public void entryUpdated(EntryEvent<String, Object> event) {
            heard(event.getKey(), Objects.requireNonNull(recordIn(event.getValue())));
        }

        @Override
        public void entryRemoved(EntryEvent<String, Object> event) {
            heardRemoved(event.getKey());
        }
    }
}
