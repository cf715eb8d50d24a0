package io.usageplans.microprofile;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ServiceConfigurationError;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.Setting;
import io.usageplans.config.SettingSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * Reads every {@code usageplans.*} setting through MicroProfile Config when the application has it, after the filter's
 * init-param and the context-param: {@code META-INF/microprofile-config.properties}, the server's config sources
 * (WildFly's subsystem, Liberty's {@code server.xml} variables, ConfigMap directories), system properties and MP's
 * environment-variable mapping ({@code USAGEPLANS_STAGE}), in MP's own order of ordinals.
 *
 * <p>Registered in {@code META-INF/services/io.usageplans.config.SettingSource}. On a server without MicroProfile
 * (Tomcat) it answers nothing: {@link #find} checks for {@code ConfigProvider} before the nested class that names MP
 * types is loaded, and the chain goes on to system properties and environment variables as before.
 */
public final class MicroProfileSettings implements SettingSource {

    private static final String CONFIG_PROVIDER = "org.eclipse.microprofile.config.ConfigProvider";

    @Override
    public Optional<Setting> find(String name, ClassLoader application) {
        if (!available()) {
            return Optional.empty();
        }
        return Lookup.find(name, application);
    }

    /** Whether the MicroProfile Config API is visible to this jar. */
    static boolean available() {
        try {
            Class.forName(CONFIG_PROVIDER, false, MicroProfileSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The origin of a value MP Config gave: the setting and MP's name for its source. */
    static String origin(String name, String sourceName) {
        return "MicroProfile Config " + name + " from " + (sourceName == null ? "an unnamed source" : sourceName);
    }

    /** Names MP Config's types: loaded only once {@link #available()} said the API is there. */
    private static final class Lookup {

        static Optional<Setting> find(String name, ClassLoader application) {
            Config config;
            try {
                config = application == null ? ConfigProvider.getConfig() : ConfigProvider.getConfig(application);
            } catch (IllegalStateException | ServiceConfigurationError e) {
                return Optional.empty(); // the API without an implementation: no MicroProfile Config here
            }
            ConfigValue value;
            try {
                value = config.getConfigValue(name);
            } catch (NoSuchElementException | IllegalArgumentException e) {
                // e.g. an expression ${...} that names a property nowhere defined
                throw new UsagePlansConfigException("MicroProfile Config " + name, null, 0, e.getMessage());
            }
            if (value == null || value.getValue() == null || value.getValue().isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new Setting(name, value.getValue().trim(), origin(name, value.getSourceName())));
        }
    }
}
