package io.usageplans.infinispan;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import javax.naming.InitialContext;
import javax.naming.NamingException;

import org.infinispan.commons.dataconversion.MediaType;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.parsing.ParserRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.spi.UsageStore;
import io.usageplans.store.lease.ClusterSettings;
import io.usageplans.store.lease.LeasingUsageStore;

/**
 * Where the Infinispan store finds its cache manager: the embedded one it starts from settings, the server's through
 * JNDI, or one the application passes ({@link #use}). Kept apart from {@link InfinispanStoreProvider}, which names no
 * Infinispan type, so that the provider loads (and says what is missing) in an application without Infinispan.
 */
public final class InfinispanCaches {

    private static final String PREFIX = "usageplans.infinispan.";
    private static final AtomicReference<EmbeddedCacheManager> GIVEN = new AtomicReference<>();
    private static final System.Logger LOG = System.getLogger(InfinispanCaches.class.getName());

    private InfinispanCaches() {
    }

    /**
     * Hands this JVM's cache manager to {@code usageplans.infinispan.mode=given}; call it before the engine starts. The
     * application keeps owning it: closing the store does not stop it.
     */
    public static void use(EmbeddedCacheManager manager) {
        GIVEN.set(manager);
    }

    /** The store {@link InfinispanStoreProvider} makes from the settings (see there). */
    static UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader) {
        String mode = setting(settings, "mode", "embedded").toLowerCase(Locale.ROOT);
        long timeout = number(settings, "timeout", 500);
        String stateCache = setting(settings, "state-cache", InfinispanUsageStore.STATE_CACHE);
        String keysCache = setting(settings, "keys-cache", InfinispanUsageStore.KEYS_CACHE);
        int reportDays = settings.apply(PREFIX + "usage-report-days") == null ? EngineBootstrap.reportDays(settings)
                : (int) Math.min(Integer.MAX_VALUE, number(settings, "usage-report-days", 90));
        ClusterSettings cluster = ClusterSettings.fromSettings(settings); // a bad value fails before a cache manager starts
        EmbeddedCacheManager manager;
        boolean owned = false;
        switch (mode) {
            case "embedded" -> {
                manager = embedded(settings, loader);
                owned = true;
            }
            case "wildfly", "jndi" -> {
                String name = setting(settings, "jndi-name", InfinispanStoreProvider.WILDFLY_CONTAINER);
                try {
                    manager = (EmbeddedCacheManager) new InitialContext().lookup(name);
                } catch (NamingException | ClassCastException | NoClassDefFoundError e) {
                    throw new UsagePlansConfigException(PREFIX + "jndi-name", "no Infinispan cache container at JNDI name '"
                            + name + "': " + e + ". On WildFly run the HA profile (standalone-ha.xml) and give the deployment "
                            + "the module dependency org.infinispan.core (see the README)");
                }
            }
            case "given" -> {
                manager = GIVEN.get();
                if (manager == null) {
                    throw new UsagePlansConfigException(PREFIX + "mode", "is 'given', but the application passed no cache "
                            + "manager: call InfinispanCaches.use(cacheManager) before the engine starts");
                }
            }
            default -> throw new UsagePlansConfigException(PREFIX + "mode", "unknown mode '" + mode
                    + "'; use embedded, wildfly (jndi) or given");
        }
        InfinispanUsageStore store;
        try {
            store = InfinispanUsageStore.builder(manager).stateCache(stateCache).keysCache(keysCache)
                    .timeout(Duration.ofMillis(timeout)).usageReportDays(reportDays).ownsCacheManager(owned).build();
        } catch (RuntimeException e) {
            if (owned) {
                manager.stop();
            }
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "usage-plans: Infinispan store in {0} mode, cluster ''{1}'' ({2} members), cluster mode {3}",
                mode, manager.getCacheManagerConfiguration().transport().clusterName(),
                manager.getMembers() == null ? 1 : manager.getMembers().size(),
                cluster.mode() == ClusterSettings.Mode.LEASE
                        ? "lease (settled every " + cluster.syncInterval().toMillis() + " ms)" : "exact");
        return LeasingUsageStore.forMode(store, cluster, clock);
    }

    /**
     * The cache manager of the embedded mode, started: from {@code usageplans.infinispan.config}, or from the built-in
     * configuration ({@code cluster-name}, {@code port}, {@code members}, {@code bind-address}). For an application that
     * starts the node itself (to use it for caches of its own too) and passes it to {@link #use} or
     * {@link InfinispanUsageStore#builder(EmbeddedCacheManager)}; the caller stops it.
     */
    public static EmbeddedCacheManager embedded(UnaryOperator<String> settings, ClassLoader loader) {
        String file = settings.apply(PREFIX + "config");
        ConfigurationBuilderHolder holder;
        if (file != null && !file.isBlank()) {
            holder = parse(file.trim(), loader);
        } else {
            holder = new ParserRegistry(loader).parse(defaultConfig(settings), MediaType.APPLICATION_XML);
        }
        holder.getGlobalConfigurationBuilder().classLoader(loader);
        return new DefaultCacheManager(holder, true);
    }

    private static ConfigurationBuilderHolder parse(String file, ClassLoader loader) {
        try {
            Path path = Path.of(file);
            if (Files.isRegularFile(path)) {
                return new ParserRegistry(loader).parse(path);
            }
            URL resource = loader.getResource(file.startsWith("/") ? file.substring(1) : file);
            if (resource != null) {
                return new ParserRegistry(loader).parse(resource);
            }
        } catch (IOException | RuntimeException e) {
            throw new UsagePlansConfigException(PREFIX + "config", "cannot read the Infinispan configuration " + file + ": " + e);
        }
        throw new UsagePlansConfigException(PREFIX + "config", "no Infinispan configuration at " + file
                + " (neither a file nor a class-path resource)");
    }

    /**
     * The built-in configuration: JGroups TCP with a static member list (TCPPING), no multicast; a distributed state
     * cache (two owners, synchronous) and a replicated keys cache.
     */
    static String defaultConfig(UnaryOperator<String> settings) {
        String clusterName = setting(settings, "cluster-name", "usage-plans");
        int port = (int) number(settings, "port", 7800);
        if (port > 65_000) {
            throw new UsagePlansConfigException(PREFIX + "port", "must be at most 65000, was " + port);
        }
        String members = setting(settings, "members", "127.0.0.1");
        List<String> hosts = new ArrayList<>();
        boolean ranges = false;
        for (String member : members.split(",")) {
            String m = member.trim();
            if (m.isEmpty()) {
                continue;
            }
            int colon = m.lastIndexOf(':');
            if (colon < 0) {
                hosts.add(m + "[" + port + "]");
                ranges = true; // a host without a port: the ports from `port` on, as the members take them
            } else {
                String memberPort = m.substring(colon + 1);
                if (!memberPort.matches("\\d{1,5}")) {
                    throw new UsagePlansConfigException(PREFIX + "members", "'" + m + "' is not host or host:port");
                }
                hosts.add(m.substring(0, colon) + "[" + memberPort + "]");
            }
        }
        if (hosts.isEmpty()) {
            throw new UsagePlansConfigException(PREFIX + "members", "names no member, was '" + members + "'");
        }
        String bind = setting(settings, "bind-address", "127.0.0.1");
        // FD_SOCK2 listens at the transport's port plus this offset (JGroups' default is 50000)
        int fdOffset = port + 50_010 <= 65_535 ? 50_000 : -5_000;
        return """
                <infinispan>
                  <jgroups>
                    <stack name="usage-plans-tcp" extends="tcp">
                      <TCP bind_addr="%s" bind_port="%d" port_range="10" diag.enabled="false"/>
                      <TCPPING initial_hosts="%s" port_range="%d" stack.combine="REPLACE" stack.position="MPING"/>
                      <FD_SOCK2 offset="%d"/>
                      <pbcast.GMS print_local_addr="false" join_timeout="1s"/>
                    </stack>
                  </jgroups>
                  <cache-container shutdown-hook="DONT_REGISTER" statistics="false">
                    <transport cluster="%s" stack="usage-plans-tcp"/>
                    <distributed-cache name="%s" owners="2" mode="SYNC" statistics="false"/>
                    <replicated-cache name="%s" mode="SYNC" statistics="false"/>
                  </cache-container>
                </infinispan>
                """.formatted(xml(bind), port, xml(String.join(",", hosts)), ranges ? 10 : 0, fdOffset, xml(clusterName),
                xml(setting(settings, "state-cache", InfinispanUsageStore.STATE_CACHE)),
                xml(setting(settings, "keys-cache", InfinispanUsageStore.KEYS_CACHE)));
    }

    private static String xml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }

    private static String setting(UnaryOperator<String> settings, String name, String fallback) {
        String value = settings.apply(PREFIX + name);
        return value == null || value.isBlank() ? fallback : value.trim();
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
            throw new UsagePlansConfigException(PREFIX + name, "must be a positive whole number, was '" + value + "'");
        }
    }
}
