package io.usageplans.infinispan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryModifiedEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;

/**
 * The API keys shared by every member: a replicated cache of key name to {@link KeyRecord} (hashes only, as Strings).
 * Each member seeds it with its plan file's keys (the first member's version wins), mirrors it through a cache
 * listener (every member holds every entry of a replicated cache, so each hears every change), and recompiles its
 * engine's catalog on every change: a key added, disabled or moved on one member is enforced on all within moments.
 * Plans come from each member's plan file. It is the engine's {@link KeyDirectory}, so the admin operations change keys
 * here.
 */
public final class InfinispanCatalog implements KeyDirectory, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InfinispanCatalog.class.getName());

    private final Cache<String, String> keys;
    private final StoreContext engine;
    private final Catalog planFile;
    private final Map<String, KeyRecord> mirror = new ConcurrentHashMap<>();
    private final Changes listener = new Changes();

    InfinispanCatalog(Cache<String, String> keys, StoreContext engine) {
        this.keys = keys;
        this.engine = engine;
        this.planFile = engine.catalog();
        keys.addListener(listener);
        for (ApiKey key : planFile.apiKeys()) {
            keys.putIfAbsent(key.name(), KeyRecord.of(key).encode());
        }
        keys.forEach((name, value) -> mirror.put(name, KeyRecord.decode(value)));
        recompile();
    }

    /** Adds or replaces a key on every member. */
    public void putKey(ApiKey key) {
        check(key.plans(), key.name());
        KeyRecord record = KeyRecord.of(key);
        keys.put(key.name(), record.encode());
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
        planFile.withApiKeys(all); // validates names, values and plans as a whole before anything is shared
        List<String> done = new ArrayList<>();
        for (ApiKey key : added) {
            if (keys.putIfAbsent(key.name(), KeyRecord.of(key).encode()) != null) {
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
            String stored = keys.get(name);
            KeyRecord current = KeyRecord.decode(stored);
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
            planFile.withApiKeys(all);
            KeyRecord next = KeyRecord.of(changed);
            if (keys.replace(name, stored, next.encode())) {
                applied(name, next);
                return changed;
            }
        }
        throw new IllegalStateException("usage-plans: key '" + name + "' changed concurrently 100 times; try again");
    }

    @Override
    public void remove(String name) {
        if (keys.remove(name) == null) {
            throw new NoSuchElementException("usage-plans: no key named '" + name + "'");
        }
        mirror.remove(name);
        recompile();
    }

    /** This member applies its own change at once; the listener brings it to the others (and here again, harmlessly). */
    private void applied(String name, KeyRecord record) {
        mirror.put(name, record);
        recompile();
    }

    private void check(List<String> plans, String key) {
        for (String plan : plans) {
            if (planFile.plan(plan).isEmpty()) {
                throw new IllegalArgumentException("usage-plans: key '" + key + "': unknown plan '" + plan + "'; known plans are "
                        + planFile.plans().stream().map(Plan::name).toList());
            }
        }
    }

    /** Rebuilds the engine's catalog from the plan file's plans and the shared keys; bad keys are skipped and logged. */
    private synchronized void recompile() {
        List<ApiKey> shared = new ArrayList<>(mirror.size());
        for (KeyRecord record : mirror.values()) {
            shared.add(record.toApiKey());
        }
        engine.replaceCatalog(planFile.withApiKeysIgnoringInvalid(shared, (key, problem) -> LOG.log(System.Logger.Level.ERROR,
                "usage-plans: shared key ''{0}'' is ignored on this member: {1}", key.name(), problem)));
    }

    @Override
    public void close() {
        try {
            keys.removeListener(listener);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "usage-plans: could not remove the catalog listener: {0}", e.toString());
        }
    }

    /** Hears every change of the keys cache on this member (after it happened, off the writing thread). */
    @Listener(sync = false)
    public final class Changes {

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> event) {
            changed(event.getKey(), event.getValue());
        }

        @CacheEntryModified
        public void modified(CacheEntryModifiedEvent<String, String> event) {
            changed(event.getKey(), event.getValue());
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, String> event) {
            mirror.remove(event.getKey());
            recompile();
        }

        private void changed(String name, String value) {
            if (value != null) {
                mirror.put(name, KeyRecord.decode(value));
                recompile();
            }
        }
    }
}
