package io.usageplans.cdi;

import java.time.Clock;

import io.usageplans.Catalog;
import io.usageplans.config.PlanFileLocator;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.servlet.ApiKeyResolver;
import io.usageplans.config.Setting;
import io.usageplans.config.StoreSetting;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The default beans behind the engine. Each can be replaced by the application with an alternative producer
 * ({@code @Produces @Alternative @Priority(1) Catalog myCatalog()}): the catalog (default: the plan file found
 * by {@code usageplans.config} or {@code usage-plans.yaml} on the classpath), the clock, the store (default: the one the
 * setting {@code usageplans.store} names, else the local store) and the key resolver. {@code @Inject UsagePlans} gives the running engine. The beans are singletons, not application-scoped,
 * because the model types are final and cannot be proxied.
 */
@ApplicationScoped
public class UsagePlansBeans {

    @Produces
    @Singleton
    Catalog catalog() {
        return PlanFileLocator.load(name -> null, classLoader());
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    UsageStore store(Clock clock) {
        return StoreSetting.provider(name -> null, classLoader())
                .map(provider -> provider.create(name -> Setting.find(name, null).map(Setting::value).orElse(null),
                        clock, classLoader()))
                .orElseGet(() -> LocalUsageStore.create(clock, java.time.Duration.ofMinutes(1), UsagePlans.reportDays(null)));
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
    UsagePlans engine(UsagePlansExtension extension) {
        return extension.engine();
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : UsagePlansBeans.class.getClassLoader();
    }
}
