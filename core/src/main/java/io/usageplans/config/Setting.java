package io.usageplans.config;

import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

import io.usageplans.UsagePlansConfigException;

/**
 * A configuration value and where it came from, looked up the same way for every setting: the adapter's own
 * parameter (a filter init-param), then the web application's context-param (where the adapter has one), then the
 * platform's configuration when there is one (a {@link SettingSource}: MicroProfile Config, which has system
 * properties and the environment among its sources), then the system property of the same name, then the environment
 * variable ({@code usageplans.config} becomes {@code USAGEPLANS_CONFIG}).
 */
public record Setting(String name, String value, String origin) {

    public static Optional<Setting> find(String name, UnaryOperator<String> adapterParameter) {
        return find(name, adapterParameter, null);
    }

    /**
     * The filter's init-param, then the web application's context-param ({@code <context-param>} in web.xml), then
     * the platform's configuration ({@link SettingSource}, through the thread's context class loader), then the system
     * property, then the environment variable.
     */
    public static Optional<Setting> find(String name, UnaryOperator<String> initParameter, UnaryOperator<String> contextParameter) {
        String value = initParameter == null ? null : initParameter.apply(name);
        if (present(value)) {
            return Optional.of(new Setting(name, value.trim(), "init-param " + name));
        }
        value = contextParameter == null ? null : contextParameter.apply(name);
        if (present(value)) {
            return Optional.of(new Setting(name, value.trim(), "context-param " + name));
        }
        Optional<Setting> platform = fromSources(name);
        if (platform.isPresent()) {
            return platform;
        }
        value = System.getProperty(name);
        if (present(value)) {
            return Optional.of(new Setting(name, value.trim(), "system property " + name));
        }
        String variable = environmentName(name);
        value = System.getenv(variable);
        if (present(value)) {
            return Optional.of(new Setting(name, value.trim(), "environment variable " + variable));
        }
        return Optional.empty();
    }

    /**
     * The value as a switch: {@code true} or {@code false} (any case), nothing else, so that a typo never silently
     * switches limits off.
     *
     * @throws UsagePlansConfigException naming where the value came from
     */
    public boolean switchValue() {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new UsagePlansConfigException(origin, null, 0, "must be true or false, was '" + value + "'");
    }

    /** {@code usageplans.key-header} becomes {@code USAGEPLANS_KEY_HEADER}. */
    public static String environmentName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The first {@link SettingSource} of the application (the thread's context class loader) that has the setting. */
    private static Optional<Setting> fromSources(String name) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        if (application == null) {
            application = Setting.class.getClassLoader();
        }
        try {
            for (SettingSource source : ServiceLoader.load(SettingSource.class, application)) {
                Optional<Setting> found = source.find(name, application);
                if (found.isPresent() && present(found.get().value())) {
                    Setting setting = found.get();
                    return Optional.of(new Setting(name, setting.value().trim(), setting.origin()));
                }
            }
        } catch (ServiceConfigurationError e) {
            // a source that cannot load (its jar without its API) is no source: the chain goes on without it
            System.getLogger(Setting.class.getName()).log(System.Logger.Level.DEBUG, "usage-plans: setting source skipped", e);
        }
        return Optional.empty();
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
