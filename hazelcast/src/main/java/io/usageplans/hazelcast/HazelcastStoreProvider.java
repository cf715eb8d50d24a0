package io.usageplans.hazelcast;

import java.io.File;
import java.io.FileNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

import javax.naming.InitialContext;
import javax.naming.NamingException;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.client.config.XmlClientConfigBuilder;
import com.hazelcast.client.config.YamlClientConfigBuilder;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.Settings;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.store.lease.ClusterSettings;
import io.usageplans.store.lease.LeasingUsageStore;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;

/**
 * {@code usageplans.store=hazelcast}: the store from settings, so that moving from one JVM to a cluster is a
 * configuration change. Settings (init-param, system property or environment variable):
 * <ul>
 * <li>{@code usageplans.hazelcast.mode}: {@code member} (default: an embedded member in this JVM),
 *     {@code client} (a client of a separate cluster), {@code instance} (an instance the application or server
 *     already runs, by {@code usageplans.hazelcast.instance-name}) or {@code jndi} (by
 *     {@code usageplans.hazelcast.jndi-name}, e.g. Payara's {@code payara/Hazelcast})</li>
 * <li>{@code usageplans.hazelcast.config}: a hazelcast.xml/.yaml (member) or hazelcast-client.xml/.yaml (client)
 *     file; without it, members join over TCP-IP on {@code usageplans.hazelcast.members} (default 127.0.0.1) with
 *     multicast off, and clients connect to those addresses</li>
 * <li>{@code usageplans.hazelcast.cluster-name} (default {@code usage-plans}), {@code usageplans.hazelcast.port}
 *     (default 5701, and up), {@code usageplans.hazelcast.timeout} (ms a request waits, default 500),
 *     {@code usageplans.hazelcast.warm-up-timeout} (ms start-up may spend warming the grid, default 10000, 0 skips it),
 *     {@code usageplans.hazelcast.backup-count} (of the state map, default 1),
 *     {@code usageplans.hazelcast.async-backups} ({@code true}: the member this store starts keeps the state map's
 *     backups asynchronous, a cheaper decision for a small risk: a count acknowledged just before its owner dies can
 *     be lost; default {@code false}),
 *     {@code usageplans.hazelcast.usage-report-days} (default {@code usageplans.report-days}, else 90), {@code usageplans.hazelcast.decide-on-caller}
 *     ({@code true} for clusters whose members cannot have this jar: 2-3 round trips instead of 1)</li>
 * </ul>
 */
public final class HazelcastStoreProvider implements UsageStoreProvider {

    private static final String PREFIX = "usageplans.hazelcast.";
    private static final String ASYNC_BACKUPS = "async-backups";
    private static final System.Logger LOG = System.getLogger(HazelcastStoreProvider.class.getName());

    @Override
    public String name() {
        return "hazelcast";
    }

    @Override
    public UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader) {
        String mode = setting(settings, "mode", "member").toLowerCase(Locale.ROOT);
        long timeout = number(settings, "timeout", 500);
        long warmUp = millisOrZero(settings, "warm-up-timeout", 10_000);
        ClusterSettings cluster = ClusterSettings.fromSettings(settings, name -> Settings.origin(settings, name)); // fails before a member starts
        if (asyncBackups(settings) && !mode.equals("member")) {
            throw new UsagePlansConfigException(PREFIX + ASYNC_BACKUPS, "applies to the member this store starts (mode=member);"
                    + " in " + mode + " mode set async-backup-count of map '" + HazelcastUsageStore.STATE_MAP
                    + "' in the cluster's own Hazelcast configuration");
        }
        HazelcastInstance instance;
        boolean owned = true;
        switch (mode) {
            case "member" -> instance = Hazelcast.newHazelcastInstance(memberConfig(settings, loader));
            case "client" -> instance = HazelcastClient.newHazelcastClient(clientConfig(settings, loader));
            case "instance" -> {
                String name = required(settings, "instance-name");
                instance = Hazelcast.getHazelcastInstanceByName(name);
                if (instance == null) {
                    throw new UsagePlansConfigException(PREFIX + "instance-name", "no Hazelcast instance named '" + name
                            + "' runs in this JVM");
                }
                owned = false;
            }
            case "jndi" -> {
                String name = required(settings, "jndi-name");
                try {
                    instance = (HazelcastInstance) new InitialContext().lookup(name);
                } catch (NamingException | ClassCastException e) {
                    throw new UsagePlansConfigException(PREFIX + "jndi-name", "no Hazelcast instance at JNDI name '" + name
                            + "': " + e);
                }
                owned = false;
            }
            default -> throw new UsagePlansConfigException(Settings.origin(settings, PREFIX + "mode"), null, 0, "unknown mode '" + mode
                    + "'; use member, client, instance or jndi");
        }
        LOG.log(System.Logger.Level.INFO, "usage-plans: Hazelcast store in {0} mode, cluster ''{1}'', cluster mode {2}", mode,
                instance.getConfig().getClusterName(), cluster.mode() == ClusterSettings.Mode.LEASE
                        ? "lease (settled every " + cluster.syncInterval().toMillis() + " ms)" : "exact");
        HazelcastUsageStore store = HazelcastUsageStore.builder(instance).timeout(Duration.ofMillis(timeout)).ownsInstance(owned)
                .warmUp(Duration.ofMillis(warmUp))
                .usageReportDays(settings.apply(PREFIX + "usage-report-days") == null ? EngineBootstrap.reportDays(settings)
                        : (int) number(settings, "usage-report-days", 90))
                .decideOnCaller(Boolean.parseBoolean(setting(settings, "decide-on-caller", "false")))
                .build();
        return LeasingUsageStore.forMode(store, cluster, clock);
    }

    /** A member configuration from the settings, with this module's serializers. */
    static Config memberConfig(UnaryOperator<String> settings, ClassLoader loader) {
        String file = settings.apply(PREFIX + "config");
        Config config;
        if (file != null && !file.isBlank()) {
            try {
                config = Config.loadFromFile(new File(file));
            } catch (FileNotFoundException e) {
                throw new UsagePlansConfigException(PREFIX + "config", "no Hazelcast configuration file at " + file);
            }
        } else if (System.getProperty("hazelcast.config") != null || loader.getResource("hazelcast.xml") != null
                || loader.getResource("hazelcast.yaml") != null) {
            config = Config.load(); // the usual hazelcast.xml / hazelcast.yaml lookup
        } else {
            config = new Config();
            config.setClusterName(setting(settings, "cluster-name", "usage-plans"));
            config.setProperty("hazelcast.phone.home.enabled", "false");
            NetworkConfig network = config.getNetworkConfig();
            network.setPort((int) number(settings, "port", 5701)).setPortAutoIncrement(true);
            JoinConfig join = network.getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            join.getTcpIpConfig().setEnabled(true);
            for (String member : setting(settings, "members", "127.0.0.1").split(",")) {
                join.getTcpIpConfig().addMember(member.trim());
            }
            if (setting(settings, "members", "127.0.0.1").startsWith("127.0.0.1")) {
                network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            }
        }
        MapConfig state = config.getMapConfig(HazelcastUsageStore.STATE_MAP);
        String backups = settings.apply(PREFIX + "backup-count");
        if (backups != null && !backups.isBlank()) {
            state.setBackupCount((int) number(settings, "backup-count", 1));
        }
        if (asyncBackups(settings)) {
            // every backup of the state map becomes asynchronous: a decision is acknowledged without waiting for them
            int total = state.getTotalBackupCount();
            state.setBackupCount(0).setAsyncBackupCount(total);
        }
        config.setClassLoader(loader);
        return HazelcastUsageStore.configure(config);
    }

    /** A client configuration from the settings, with this module's serializers; it starts and reconnects in the background. */
    static ClientConfig clientConfig(UnaryOperator<String> settings, ClassLoader loader) {
        String file = settings.apply(PREFIX + "config");
        ClientConfig config;
        if (file != null && !file.isBlank()) {
            try {
                config = file.endsWith(".yaml") || file.endsWith(".yml") ? new YamlClientConfigBuilder(file).build()
                        : new XmlClientConfigBuilder(file).build();
            } catch (java.io.IOException e) {
                throw new UsagePlansConfigException(PREFIX + "config", "cannot read the Hazelcast client configuration " + file + ": " + e);
            }
        } else if (System.getProperty("hazelcast.client.config") != null || loader.getResource("hazelcast-client.xml") != null
                || loader.getResource("hazelcast-client.yaml") != null) {
            config = ClientConfig.load(); // the usual hazelcast-client.xml / .yaml lookup
        } else {
            config = new ClientConfig();
            config.setClusterName(setting(settings, "cluster-name", "usage-plans"));
            config.setProperty("hazelcast.phone.home.enabled", "false");
            for (String member : setting(settings, "members", "127.0.0.1").split(",")) {
                config.getNetworkConfig().addAddress(member.trim());
            }
        }
        // a cluster that is down must not block start-up or hang request threads: requests fail fast and the
        // plan's fail mode applies while the client reconnects in the background
        config.getConnectionStrategyConfig().setAsyncStart(true)
                .setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ASYNC);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1);
        config.setClassLoader(loader);
        return HazelcastUsageStore.configure(config);
    }

    /**
     * {@code usageplans.hazelcast.async-backups}: {@code true} or {@code false} (the default); anything else fails
     * start-up naming the setting.
     */
    static boolean asyncBackups(UnaryOperator<String> settings) {
        String value = setting(settings, ASYNC_BACKUPS, "false").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new UsagePlansConfigException(Settings.origin(settings, PREFIX + ASYNC_BACKUPS), null, 0, "must be true or false, was '"
                    + settings.apply(PREFIX + ASYNC_BACKUPS).trim() + "'");
        };
    }

    private static String setting(UnaryOperator<String> settings, String name, String fallback) {
        String value = settings.apply(PREFIX + name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static String required(UnaryOperator<String> settings, String name) {
        String value = settings.apply(PREFIX + name);
        if (value == null || value.isBlank()) {
            throw new UsagePlansConfigException(PREFIX + name, "is required in this mode");
        }
        return value.trim();
    }

    private static long millisOrZero(UnaryOperator<String> settings, String name, long fallback) {
        String value = setting(settings, name, Long.toString(fallback));
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsagePlansConfigException(Settings.origin(settings, PREFIX + name), null, 0, "must be a whole number of milliseconds, 0 or more, was '" + value + "'");
    }

    private static long number(UnaryOperator<String> settings, String name, long fallback) {
        String value = setting(settings, name, Long.toString(fallback));
        try {
            long parsed = Long.parseLong(value);
            if (parsed <= 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsagePlansConfigException(Settings.origin(settings, PREFIX + name), null, 0, "must be a positive whole number, was '" + value + "'");
        }
    }
}
