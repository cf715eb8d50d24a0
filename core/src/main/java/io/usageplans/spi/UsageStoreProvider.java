package io.usageplans.spi;

import java.time.Clock;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

import io.usageplans.config.Setting;
import io.usageplans.UsagePlansConfigException;

/**
 * Makes a {@link UsageStore} from settings, so that switching stores is a configuration change: the setting
 * {@code usageplans.store} names a provider found with {@link ServiceLoader} (e.g. {@code hazelcast} from the
 * usage-plans-hazelcast jar); {@code local}, or no setting, is the in-JVM store.
 */
public interface UsageStoreProvider {

    /** The setting that names the store. */
    String STORE = "usageplans.store";

    /** The name used in {@code usageplans.store}. */
    String name();

    /** A new store; {@code settings} looks up other settings the same way (adapter parameter, property, environment). */
    UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader);

    /**
     * The provider the setting names, or empty for the local store.
     *
     * @throws UsagePlansConfigException when the setting names a store no jar on the class path provides
     */
    static Optional<UsageStoreProvider> fromSettings(UnaryOperator<String> adapterParameter, ClassLoader loader) {
        Optional<Setting> setting = Setting.find(STORE, adapterParameter);
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
        throw new UsagePlansConfigException(setting.get().origin(), STORE, 0, "unknown store '" + wanted + "'; available: "
                + known + (wanted.equalsIgnoreCase("hazelcast") ? " (add the usage-plans-hazelcast jar)" : ""));
    }
}
