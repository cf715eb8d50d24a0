package io.usageplans.config;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.usageplans.Catalog;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.local.LocalUsageStore;

/**
 * Builds an application's {@link UsagePlans} engine from its settings, the one way every adapter does (the servlet
 * filter, the CDI start-up and producers): the plan file (or a given catalog), the stage, the switch, the excluded
 * paths, shadow mode, the store ({@value UsageStoreProvider#STORE}, made by its provider, else the local store) and the listeners.
 * An engine whose plans came from a plan file gets a {@link PlanFileReloader} ({@value PlanFileReloader#RELOAD}).
 * An adapter hands in what only it knows (the context path, the paths other modules serve, annotated routes, beans that
 * replace a default) and gets the engine; it never assembles one itself.
 *
 * <pre>{@code
 * UsagePlans engine = EngineBootstrap.of(settings, classLoader).contextPath("/test").build();
 * }</pre>
 */
public final class EngineBootstrap {

    /** The stage the application serves; default: its context path without the slash. */
    public static final String STAGE = "usageplans.stage";
    /** Comma-separated path patterns never metered, in addition to the plan file's {@code excludePaths}. */
    public static final String EXCLUDE = "usageplans.exclude";

    private final Settings settings;
    private final ClassLoader loader;
    private Catalog catalog;
    /** The plan file the catalog was read from, or null when it was given. */
    private PlanFileLocator.Located planFile;
    private Clock clock = Clock.systemUTC();
    private UsageStore store;
    private String contextPath;
    private final List<String> excludedPaths = new ArrayList<>();
    private final List<RouteDefinition> routes = new ArrayList<>();
    private final List<UsageListener> listeners = new ArrayList<>();

    private EngineBootstrap(Settings settings, ClassLoader loader) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.loader = loader != null ? loader : EngineBootstrap.class.getClassLoader();
    }

    /** A bootstrap reading {@code settings}, finding plan files, store providers and classes with {@code loader}. */
    public static EngineBootstrap of(Settings settings, ClassLoader loader) {
        return new EngineBootstrap(settings, loader);
    }

    /** Plans and keys given in code (or by a CDI bean), instead of the plan file. */
    public EngineBootstrap catalog(Catalog value) {
        this.catalog = value;
        return this;
    }

    /** The time source of throttles, quota periods and a store made here; default: UTC system time. */
    public EngineBootstrap clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /**
     * A store the application made and closes itself (a CDI bean), instead of the one {@value UsageStoreProvider#STORE}
     * names.
     */
    public EngineBootstrap store(UsageStore value) {
        this.store = value;
        return this;
    }

    /** Where the application is deployed ({@code /test}): its stage when {@value #STAGE} is not set. */
    public EngineBootstrap contextPath(String value) {
        this.contextPath = value;
        return this;
    }

    /** Paths other modules serve and that are never metered (the admin's {@code /usage-plans/*}). */
    public EngineBootstrap excludePaths(Collection<?> patterns) {
        for (Object pattern : patterns) {
            excludedPaths.add(String.valueOf(pattern));
        }
        return this;
    }

    /** Routes an adapter compiled from annotations. */
    public EngineBootstrap routes(Collection<RouteDefinition> found) {
        routes.addAll(found);
        return this;
    }

    /** Listeners that hear every metered decision, besides those {@code META-INF/services} lists. */
    public EngineBootstrap listeners(Iterable<? extends UsageListener> values) {
        for (UsageListener listener : values) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
        }
        return this;
    }

    /**
     * The catalog given, else the one the plan file holds (read once; see {@link PlanFileLocator}).
     *
     * @throws UsagePlansConfigException naming the file, line, entry and value of every problem
     */
    public Catalog catalog() {
        if (catalog == null) {
            planFile = PlanFileLocator.locate(settings.parameters(), loader);
            catalog = planFile.load();
        }
        return catalog;
    }

    /**
     * A new store as the settings say: the {@link UsageStoreProvider} {@value UsageStoreProvider#STORE} names (which
     * wraps its store for the cluster mode itself), else a local store keeping {@value UsagePlans#REPORT_DAYS} days of
     * usage. The caller closes it.
     */
    public UsageStore newStore() {
        int reportDays = reportDays(settings.parameters());
        Optional<UsageStoreProvider> provider = StoreSetting.provider(settings.parameters(), loader);
        return provider.isPresent() ? provider.get().create(settings.values(), clock, loader)
                : LocalUsageStore.create(clock, Duration.ofMinutes(1), reportDays);
    }

    /**
     * The engine. Every setting is checked before a store is made, so that a bad value never leaves a cluster member
     * running; a store made here is closed with the engine (or at once, when the engine cannot be built).
     *
     * @throws UsagePlansConfigException naming the setting or the plan-file entry at fault
     */
    public UsagePlans build() {
        Catalog plans = catalog();
        long reloadInterval = PlanFileReloader.interval(settings);
        StageSetting stage = StageSetting.of(settings, contextPath, plans);
        UsagePlans.Builder builder = UsagePlans.builder(plans).stage(stage.name(), stage.origin()).clock(clock).routes(routes);
        settings.find(UsagePlans.ENABLED).ifPresent(setting -> builder.enabled(setting.switchValue()));
        settings.find(UsagePlans.SHADOW).ifPresent(setting -> builder.shadow(setting.switchValue()));
        settings.find(io.usageplans.alert.AlertWebhook.WEBHOOK)
                .ifPresent(setting -> builder.listener(io.usageplans.alert.AlertWebhook.of(setting.value(), setting.origin())));
        for (String pattern : excludedPaths) {
            builder.excludePath(pattern);
        }
        settings.find(EXCLUDE).ifPresent(setting -> {
            for (String pattern : setting.value().split(",")) {
                if (!pattern.isBlank()) {
                    try {
                        builder.excludePath(pattern.trim());
                    } catch (UsagePlansConfigException e) {
                        throw new UsagePlansConfigException(setting.origin(), pattern.trim(), 0, e.problem());
                    }
                }
            }
        });
        listeners.forEach(builder::listener);
        if (store != null) {
            return reloadable(builder.store(store).build(), plans, reloadInterval);
        }
        UsageStore made = newStore();
        UsagePlans engine;
        try {
            engine = builder.ownedStore(made).build();
        } catch (RuntimeException e) {
            made.close();
            throw e;
        }
        return reloadable(engine, plans, reloadInterval);
    }

    /**
     * Attaches a {@link PlanFileReloader} to {@code engine} when its catalog came from a plan file (read here, or given
     * by an adapter that read the same file), watching the file when {@value PlanFileReloader#RELOAD} says so.
     */
    private UsagePlans reloadable(UsagePlans engine, Catalog started, long reloadInterval) {
        PlanFileLocator.Located file = planFile;
        if (file == null && started.source() != null) {
            try {
                file = PlanFileLocator.locate(settings.parameters(), loader);
            } catch (UsagePlansConfigException e) {
                file = null; // the catalog came from elsewhere
            }
            if (file != null && !file.source().equals(started.source())) {
                file = null;
            }
        }
        if (file == null) {
            if (reloadInterval > 0) {
                System.getLogger(PlanFileReloader.class.getName()).log(System.Logger.Level.WARNING, "usage-plans: "
                        + PlanFileReloader.RELOAD + " is set, but the plans were not read from a plan file ("
                        + (started.source() == null ? "a catalog built in code" : started.source()) + "), so nothing is reloaded");
            }
            return engine;
        }
        try {
            PlanFileReloader.attach(engine, file, started, reloadInterval);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /**
     * The days of daily usage to keep, from the setting {@value UsagePlans#REPORT_DAYS} (adapter parameter, system
     * property or USAGEPLANS_REPORT_DAYS), 90 when it is not set.
     *
     * @throws UsagePlansConfigException if it is not a whole number of 0 or more
     */
    public static int reportDays(UnaryOperator<String> adapterParameter) {
        Optional<Setting> setting = Setting.find(UsagePlans.REPORT_DAYS, adapterParameter);
        if (setting.isEmpty()) {
            return LocalUsageStore.DEFAULT_REPORT_DAYS;
        }
        try {
            int days = Integer.parseInt(setting.get().value());
            if (days >= 0) {
                return days;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsagePlansConfigException(setting.get().origin(), "must be a whole number of days, 0 or more, was '"
                + setting.get().value() + "'");
    }
}
