package io.usageplans.config;

import java.util.Optional;

/**
 * A configuration system the application's platform brings (MicroProfile Config, in {@code usage-plans-microprofile}),
 * asked for every {@code usageplans.*} setting after the adapter's own parameters (filter init-param, context-param)
 * and before the system property and the environment variable. Found with {@code ServiceLoader} through the thread's
 * context class loader (the application's), in {@code META-INF/services/io.usageplans.config.SettingSource}.
 *
 * <p>An implementation must load on a platform without its API (Tomcat has no MicroProfile): it checks that the API is
 * there in {@link #find} and answers empty when it is not, without naming the API's types in its own signatures.
 */
public interface SettingSource {

    /**
     * The setting {@code name} as the platform's configuration has it, with its origin naming the setting and the
     * platform's source ({@code MicroProfile Config usageplans.stage from PropertiesConfigSource[...]}); empty when it
     * has no value there, or when the platform's configuration is not available to {@code application}.
     *
     * @param application the application's class loader: the platform may hold one configuration per application
     */
    Optional<Setting> find(String name, ClassLoader application);
}
