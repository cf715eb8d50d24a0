package io.usageplans.infinispan;

import java.time.Clock;
import java.util.function.UnaryOperator;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;

/**
 * {@code usageplans.store=infinispan}: the store from settings, so that moving from one JVM to a cluster is a
 * configuration change. Settings (init-param, system property or environment variable), all prefixed
 * {@code usageplans.infinispan.}:
 * <ul>
 * <li>{@code mode}: {@code embedded} (default: a cache manager this store starts), {@code wildfly} or {@code jndi} (a
 *     cache container the server runs, by {@code jndi-name}, default {@value #WILDFLY_CONTAINER}: WildFly's
 *     {@code server} container, on every {@code standalone-ha.xml}), or {@code given} (one the application handed to
 *     {@link InfinispanCaches#use} before the engine started)</li>
 * <li>embedded: {@code config} (an infinispan.xml, a file or a class-path resource); without it, JGroups TCP on
 *     {@code bind-address} (default 127.0.0.1) and {@code port} (default 7800, the next 10 if taken), finding the other
 *     members at {@code members} (TCPPING, a static list {@code host[:port],...}, default 127.0.0.1), no multicast,
 *     cluster {@code cluster-name} (default {@code usage-plans})</li>
 * <li>{@code timeout} (ms a request waits, default 500), {@code state-cache} and {@code keys-cache} (cache names,
 *     defined by the store where the container has none), {@code usage-report-days} (default
 *     {@code usageplans.report-days}, else 90)</li>
 * </ul>
 * The store is wrapped in lease mode unless {@code usageplans.cluster.mode=exact}.
 */
public final class InfinispanStoreProvider implements UsageStoreProvider {

    /** WildFly's {@code server} cache container, which every stock {@code standalone-ha.xml} and {@code -full-ha.xml} has. */
    public static final String WILDFLY_CONTAINER = "java:jboss/infinispan/container/server";

    /**
     * This class names no Infinispan type (the work is {@link InfinispanCaches}'), so that {@code ServiceLoader} can load
     * it in an application without Infinispan, which picks another store, and so that choosing this store there fails
     * with a message rather than a {@code NoClassDefFoundError}.
     */
    private static final String CACHE_MANAGER = "org.infinispan.manager.EmbeddedCacheManager";

    @Override
    public String name() {
        return "infinispan";
    }

    @Override
    public UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader) {
        try {
            Class.forName(CACHE_MANAGER, false, InfinispanStoreProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new UsagePlansConfigException(STORE, "is 'infinispan', but Infinispan is not on the class path: add "
                    + "org.infinispan:infinispan-core 16.0, or on WildFly the module dependency org.infinispan.core (see the README)");
        }
        return InfinispanCaches.create(settings, clock, loader);
    }
}
