package io.usageplans.config;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageStoreProvider;

/** Reads the setting {@value UsageStoreProvider#STORE}: which {@link UsageStoreProvider} makes the engine's store. */
public final class StoreSetting {

    private StoreSetting() {
    }

    /**
     * The provider the setting names, or empty for the local store.
     *
     * @throws UsagePlansConfigException when the setting names a store no jar on the class path provides
     */
    public static Optional<UsageStoreProvider> provider(UnaryOperator<String> adapterParameter, ClassLoader loader) {
        Optional<Setting> setting = Setting.find(UsageStoreProvider.STORE, adapterParameter);
        if (setting.isEmpty() || setting.get().value().equalsIgnoreCase("local")) {
            return Optional.empty();
        }
        String wanted = setting.get().value();
        StringBuilder known = new StringBuilder("local");
        for (UsageStoreProvider provider : ServiceLoader.load(UsageStoreProvider.class, loader)) {
            if (provider.name().equalsIgnoreCase(wanted)) {
                return Optional.of(provider);
            }
            known.append(", ").append(provider.name());
        }
        throw new UsagePlansConfigException(setting.get().origin(), UsageStoreProvider.STORE, 0, "unknown store '" + wanted
                + "'; available: " + known + (wanted.equalsIgnoreCase("hazelcast") ? " (add the usage-plans-hazelcast jar)" : ""));
    }
}
