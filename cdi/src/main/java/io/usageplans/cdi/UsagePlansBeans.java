package io.usageplans.cdi;

import java.time.Clock;

import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.Setting;
import io.usageplans.config.Settings;
import io.usageplans.servlet.ApiKeyResolver;
import io.usageplans.spi.UsageStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The default beans behind the engine. Each can be replaced by the application with an alternative producer
 * ({@code @Produces @Alternative @Priority(1) Catalog myCatalog()}): the catalog (default: the plan file found
 * by {@code usageplans.config} or {@code usage-plans.yaml} on the classpath), the clock, the store (default: the one the
 * setting {@code usageplans.store} names, else the local store) and the key resolver. {@code @Inject UsagePlans} gives the running engine.
 * Catalog and store are made by {@link EngineBootstrap}, as the servlet module makes them. The beans are singletons, not application-scoped,
 * because the model types are final and cannot be proxied.
 */
@ApplicationScoped
public class UsagePlansBeans {

    @Produces
    @Singleton
    Catalog catalog() {
        return bootstrap().catalog();
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    UsageStore store(Clock clock) {
        return bootstrap().clock(clock).newStore();
    }

    void closeStore(@Disposes UsageStore store) {
        store.close();
    }

    @Produces
    @Singleton
    ApiKeyResolver keyResolver() {
        return ApiKeyResolver.fromSetting(Setting.find(ApiKeyResolver.KEY_SOURCE, null).map(Setting::value).orElse(null),
                classLoader());
    }

    @Produces
    @Dependent
    UsagePlans engine(RunningEngine running) {
        return running.get();
    }

    /** The catalog and store as every adapter makes them; here, before any servlet context, from system settings only. */
    private static EngineBootstrap bootstrap() {
        return EngineBootstrap.of(Settings.system(), classLoader());
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : UsagePlansBeans.class.getClassLoader();
    }
}
