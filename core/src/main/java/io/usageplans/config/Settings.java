package io.usageplans.config;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where one application's {@code usageplans.*} settings come from, in the one order every adapter uses: the adapter's
 * own parameter (a filter init-param), then the application's (a context-param), then the system property, then the
 * environment variable. The servlet module makes one from a filter's or a servlet context's parameters;
 * {@link #system()} has only the last two, for code that runs before any servlet context (CDI producers).
 */
public final class Settings {

    private static final UnaryOperator<String> NONE = name -> null;

    private final UnaryOperator<String> own;
    private final UnaryOperator<String> application;

    private Settings(UnaryOperator<String> own, UnaryOperator<String> application) {
        this.own = own == null ? NONE : own;
        this.application = application == null ? NONE : application;
    }

    /** An adapter's own parameters ({@code init-param}), then the application's ({@code context-param}); either may be null. */
    public static Settings of(UnaryOperator<String> own, UnaryOperator<String> application) {
        return new Settings(own, application);
    }

    /** System properties and environment variables only. */
    public static Settings system() {
        return new Settings(NONE, NONE);
    }

    /** The setting and where it came from, or empty when it is set nowhere (or blank). */
    public Optional<Setting> find(String name) {
        return Setting.find(name, own, application);
    }

    /**
     * The adapter's parameters alone (its own, else the application's), for the lookups in this package that go on to
     * the system property and environment variable themselves ({@link PlanFileLocator}, {@link StoreSetting}).
     */
    public UnaryOperator<String> parameters() {
        return name -> {
            String value = own.apply(name);
            return value != null && !value.isBlank() ? value : application.apply(name);
        };
    }

    /**
     * Every level at once, as a store provider reads its settings: the value, or null when it is set nowhere.
     * {@link #origin(UnaryOperator, String)} tells where a value of these came from.
     */
    public UnaryOperator<String> values() {
        return new Values(this);
    }

    /**
     * Where {@code name}'s value came from, for an error message ({@code system property usageplans.x}), when
     * {@code values} is one {@link #values()} made; else {@code name} itself.
     */
    public static String origin(UnaryOperator<String> values, String name) {
        if (values instanceof Values found) {
            return found.settings.find(name).map(Setting::origin).orElse(name);
        }
        return name;
    }

    private record Values(Settings settings) implements UnaryOperator<String> {
        @Override
        public String apply(String name) {
            return settings.find(name).map(Setting::value).orElse(null);
        }
    }
}
