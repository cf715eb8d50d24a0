package io.usageplans.infinispan;

import java.util.HashMap;
import java.util.Map;

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
import io.usageplans.config.SharedKeys;
import io.usageplans.config.SharedPlans;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.StoreContext;

/**
 * The API keys shared by every member: a replicated cache of key name to {@link KeyRecord} (hashes only, as Strings).
 * Each member seeds it with its plan file's keys (the first member's version wins), mirrors it through a cache
 * listener (every member holds every entry of a replicated cache, so each hears every change), and recompiles its
 * engine's catalog on every change: a key added, disabled or moved on one member is enforced on all within moments.
 * It is the engine's {@link KeyDirectory}, so the admin operations change keys here. The plans are one document in a
 * replicated cache of their own, named after the keys' cache with {@value #PLANS_SUFFIX} ({@link SharedPlans}: seeded
 * from the first member's plan file, replaced by a member with a new one), changed with compare-and-set and heard by
 * every member through a cache listener as the keys are; it is the engine's {@link io.usageplans.spi.PlanDirectory}.
 * The logic the grids share is {@link SharedKeys}'s; this class says how Infinispan stores, writes and hears a key.
 */
public final class InfinispanCatalog extends SharedKeys.PerEntry<String, KeyRecord> {

    private final Cache<String, String> keys;
    /** The suffix of the plans cache's name: {@code usage-plans-keys-plans} beside {@code usage-plans-keys}. */
    public static final String PLANS_SUFFIX = "-plans";
    static final String PLANS_ENTRY = "plans";

    private final Changes listener = new Changes();
    private final Cache<String, String> plansCache;
    private final PlanChanges plansListener = new PlanChanges();

    InfinispanCatalog(Cache<String, String> keys, StoreContext engine) {
        this(keys, InfinispanUsageStore.cache(keys.getCacheManager(), keys.getName() + PLANS_SUFFIX, CacheMode.REPL_SYNC), engine);
    }

    private InfinispanCatalog(Cache<String, String> keys, Cache<String, String> plansCache, StoreContext engine) {
        super(engine, new MapEntry(plansCache, PLANS_ENTRY), "Infinispan cache " + keys.getName() + PLANS_SUFFIX,
                "usage-plans-infinispan-catalog");
        this.keys = keys;
        this.plansCache = plansCache;
        plansCache.addListener(plansListener);
        keys.addListener(listener);
        start();
    }

    @Override
    protected Map<String, KeyRecord> readAll() {
        Map<String, KeyRecord> all = new HashMap<>();
        keys.forEach((name, value) -> all.put(name, KeyRecord.decode(value)));
        return all;
    }

    @Override
    protected String read(String name) {
        return keys.get(name);
    }

    @Override
    protected KeyRecord recordIn(String stored) {
        return KeyRecord.decode(stored);
    }

    @Override
    protected KeyRecord recordOf(ApiKey key) {
        return KeyRecord.of(key);
    }

    @Override
    protected ApiKey keyOf(KeyRecord record) {
        return record.toApiKey();
    }

    @Override
    protected void write(String name, KeyRecord record) {
        keys.put(name, record.encode());
    }

    @Override
    protected boolean putIfAbsent(String name, KeyRecord record) {
        return keys.putIfAbsent(name, record.encode()) == null;
    }

    /** Compare-and-set on the primary owner, against the String the cache holds. */
    @Override
    protected boolean replace(String name, String stored, KeyRecord next) {
        return keys.replace(name, stored, next.encode());
    }

    @Override
    protected boolean removeEntry(String name) {
        return keys.remove(name) != null;
    }

    @Override
    protected void removeListeners() {
        keys.removeListener(listener);
        plansCache.removeListener(plansListener);
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
            heardRemoved(event.getKey());
        }

        private void changed(String name, String value) {
            if (value != null) {
                heard(name, KeyRecord.decode(value));
            }
        }
    }

    /** Hears every change of the plans document on this member (every member holds it: the cache is replicated). */
    @Listener(sync = false)
    public final class PlanChanges {

        @CacheEntryCreated
        public void created(CacheEntryCreatedEvent<String, String> event) {
            heardPlans();
        }

        @CacheEntryModified
        public void modified(CacheEntryModifiedEvent<String, String> event) {
            heardPlans();
        }
    }
}
