package io.usageplans.micrometer;

import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The application's {@code MeterRegistry} CDI bean, when CDI is on the class path, running for this application, and
 * has exactly one: a server's (WildFly's micrometer subsystem) or the application's own producer.
 */
final class CdiRegistry {

    private static final System.Logger LOG = System.getLogger(MicrometerUsageListener.class.getName());
    private static final String CDI = "jakarta.enterprise.inject.spi.CDI";

    private CdiRegistry() {
    }

    static Optional<MeterRegistry> find() {
        try {
            Class.forName(CDI, false, CdiRegistry.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        return Lookup.find();
    }

    /** Names CDI's types: loaded only once the API is known to be there. */
    private static final class Lookup {
        static Optional<MeterRegistry> find() {
            try {
                jakarta.enterprise.inject.Instance<MeterRegistry> registries =
                        jakarta.enterprise.inject.spi.CDI.current().select(MeterRegistry.class);
                if (registries.isResolvable()) {
                    MeterRegistry registry = registries.get();
                    LOG.log(System.Logger.Level.DEBUG, "usage-plans: counting into the MeterRegistry bean {0}",
                            registry.getClass().getName());
                    return Optional.of(registry);
                }
            } catch (IllegalStateException | LinkageError e) {
                // no CDI container for this application: the global registry
            }
            return Optional.empty();
        }
    }
}
