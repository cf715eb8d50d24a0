package io.usageplans.spi;

import java.time.Clock;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

/**
 * Makes a {@link UsageStore} from settings, so that switching stores is a configuration change: the setting
 * {@code usageplans.store} names a provider found with {@link ServiceLoader} (e.g. {@code hazelcast} from the
 * usage-plans-hazelcast jar); {@code local}, or no setting, is the in-JVM store. The setting is read by
 * {@code io.usageplans.config.StoreSetting}.
 */
public interface UsageStoreProvider {

    /** The setting that names the store. */
    String STORE = "usageplans.store";

    /** The name used in {@code usageplans.store}. */
    String name();

    /** A new store; {@code settings} looks up other settings the same way (adapter parameter, property, environment). */
    UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader);
}
