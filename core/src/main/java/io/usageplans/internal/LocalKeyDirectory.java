package io.usageplans.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.spi.KeyDirectory;

/**
 * Keys changed in this JVM only: every change recompiles the engine's catalog, validated as a whole; a batch
 * ({@link #replaceAll}, {@link #removeAll}) recompiles it once.
 */
final class LocalKeyDirectory implements KeyDirectory {

    private final MeteringEngine engine;

    LocalKeyDirectory(MeteringEngine engine) {
        this.engine = engine;
    }

    @Override
    public List<ApiKey> keys() {
        return engine.catalog().apiKeys();
    }

    @Override
    public void add(List<ApiKey> keys) {
        synchronized (engine) {
            List<ApiKey> all = new ArrayList<>(engine.catalog().apiKeys());
            all.addAll(keys);
            engine.replaceCatalog(engine.catalog().withApiKeys(all));
        }
    }

    @Override
    public ApiKey update(String name, UnaryOperator<ApiKey> change) {
        synchronized (engine) {
            List<ApiKey> all = new ArrayList<>(engine.catalog().apiKeys());
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).name().equals(name)) {
                    ApiKey changed = change.apply(all.get(i));
                    if (!changed.name().equals(name)) {
                        throw new IllegalArgumentException("a key's name cannot change: " + name + " -> " + changed.name());
                    }
                    all.set(i, changed);
                    engine.replaceCatalog(engine.catalog().withApiKeys(all));
                    return changed;
                }
            }
            throw new NoSuchElementException("no key named '" + name + "'");
        }
    }

    @Override
    public void replaceAll(List<ApiKey> keys) {
        synchronized (engine) {
            engine.replaceCatalog(engine.catalog().withApiKeys(KeyDirectory.replacing(engine.catalog().apiKeys(), keys)));
        }
    }

    @Override
    public List<String> removeAll(Collection<String> names) {
        synchronized (engine) {
            Set<String> removing = new HashSet<>(names);
            List<ApiKey> all = new ArrayList<>(engine.catalog().apiKeys());
            List<String> removed = new ArrayList<>();
            all.removeIf(key -> {
                if (removing.contains(key.name())) {
                    removed.add(key.name());
                    return true;
                }
                return false;
            });
            if (!removed.isEmpty()) {
                engine.replaceCatalog(engine.catalog().withApiKeys(all));
            }
            return removed;
        }
    }

    @Override
    public void remove(String name) {
        if (removeAll(List.of(name)).isEmpty()) {
            throw new NoSuchElementException("no key named '" + name + "'");
        }
    }
}
