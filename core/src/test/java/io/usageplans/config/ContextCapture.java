package io.usageplans.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.StoreContext;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;

/** An engine on a local store that keeps the {@link StoreContext} the engine hands it, as a clustered store does. */
final class ContextCapture {

    private ContextCapture() {
    }

    /** Builds the engine (added to {@code engines}, for closing) and returns the context its store was started with. */
    static StoreContext engine(Catalog planFile, MutableClock clock, List<RouteDefinition> routes, List<UsagePlans> engines) {
        AtomicReference<StoreContext> context = new AtomicReference<>();
        LocalUsageStore local = LocalUsageStore.create(clock);
        UsageStore store = (UsageStore) Proxy.newProxyInstance(UsageStore.class.getClassLoader(), new Class<?>[] {UsageStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("started")) {
                        context.set((StoreContext) args[0]);
                        return null;
                    }
                    try {
                        return method.invoke(local, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        engines.add(UsagePlans.builder(planFile).stage("test").clock(clock).ownedStore(store).routes(routes).build());
        return context.get();
    }
}
