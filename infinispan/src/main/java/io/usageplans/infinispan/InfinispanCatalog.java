package io.usageplans.infinispan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
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
import io.usageplans.config.SharedPlans;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;
import io.usageplans.store.shared.CoalescingRunner;

/**
 * The API keys shared by every member: a replicated cache of key name to {@link KeyRecord} (hashes only, as Strings).
 * Each member seeds it with its plan file's keys (the first member's version wins), mirrors it through a cache
 * listener (every member holds every entry of a replicated cache, so each hears every change), and recompiles its
 * engine's catalog on every change: a key added, disabled or moved on one member is enforced on all within moments.
 * It is the engine's {@link KeyDirectory}, so the admin operations change keys here. The plans are one document in a
 * replicated cache of their own, named after the keys' cache with {@value #PLANS_SUFFIX} ({@link SharedPlans}: seeded
 * from the first member's plan file, replaced by a member with a new one), changed with compare-and-set and heard by
 * every member through a cache listener as the keys are; it is the engine's {@link io.usageplans.spi.PlanDirectory}.
 */
public final class InfinispanCatalog implements KeyDirectory, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InfinispanCatalog.class.getName());

    private final Cache<String, String> keys;
    /** The suffix of the plans cache's name: {@code usage-plans-keys-plans} beside {@code usage-plans-keys}. */
    public static final String PLANS_SUFFIX = "-plans";
    static final String PLANS_ENTRY = "plans";

    private final StoreContext engine;
    private final Map<String, KeyRecord> mirror = new ConcurrentHashMap<>();
    private final Changes listener = new Changes();
    private final Cache<String, String> plansCache;
    private final SharedPlans plans;
    private final PlanChanges plansListener = new PlanChanges();
    /** Rebuilds the catalog once for every burst of key events heard from the grid (an import, a reload). */
    private final CoalescingRunner heardKeys = new CoalescingRunner("usage-plans-infinispan-catalog", this::recompile);

    InfinispanCatalog(Cache<String, String> keys, StoreContext engine) {
        this.keys = keys;
        this.engine = engine;
        Catalog planFile = engine.catalog();
        String plansName = keys.getName() + PLANS_SUFFIX;
        this.plansCache = InfinispanUsageStore.cache(keys.getCacheManager(), plansName, CacheMode.REPL_SYNC);
        this.plans = new SharedPlans(new PlansEntry(plansCache), engine, this, "Infinispan cache " + plansName);
        plansCache.addListener(plansListener);
        keys.addListener(listener);
        keys.forEach((name, value) -> mirror.put(name, KeyRecord.decode(value)));
        plans.start(sharedKeys()); // before the plan file's keys, which may name plans the cluster does not have yet
        for (ApiKey key : planFile.apiKeys()) {
            keys.putIfAbsent(key.name(), KeyRecord.of(key).encode());
        }
        keys.forEach((name, value) -> mirror.put(name, KeyRecord.decode(value)));
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
        engine.catalog().withApiKeys(all); // validates names, values and plans as a whole before anything is shared
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
            engine.catalog().withApiKeys(all);
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
        engine.catalog().withApiKeys(KeyDirectory.replacing(current, replaced)); // checked as a whole before anything is shared
        for (ApiKey key : replaced) {
            KeyRecord next = KeyRecord.of(key);
            keys.put(key.name(), next.encode());
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

    @Override
    public void close() {
        heardKeys.close();
        try {
            keys.removeListener(listener);
            plansCache.removeListener(plansListener);
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
            heardKeys.request();
        }

        private void changed(String name, String value) {
            if (value != null) {
                mirror.put(name, KeyRecord.decode(value));
                heardKeys.request();
            }
        }
    }

    /** The plans document: one entry of a replicated cache of its own, compared and set by its primary owner. */
    private record PlansEntry(Cache<String, String> cache) implements SharedPlans.Document {

        @Override
        public String get() {
            return cache.get(PLANS_ENTRY);
        }

        @Override
        public boolean putIfAbsent(String text) {
            return cache.putIfAbsent(PLANS_ENTRY, text) == null;
        }

        @Override
        public boolean replace(String expected, String text) {
            return cache.replace(PLANS_ENTRY, expected, text);
        }
    }

    /** Hears every change of the plans document on this member (every member holds it: the cache is replicated). */
    @Listener(sync = false)
    public final class PlanChanges {

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> event) {
            heard();
        }

        @CacheEntryModified
        public void modified(CacheEntryModifiedEvent<String, String> event) {
            heard();
        }

        private void heard() {
            plans.onDocumentChanged(InfinispanCatalog.this::recompile);
        }
    }
}
