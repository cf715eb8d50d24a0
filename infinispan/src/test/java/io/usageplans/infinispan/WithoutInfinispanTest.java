package io.usageplans.infinispan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageStoreProvider;
import org.junit.jupiter.api.Test;

/**
 * A WAR may carry this jar without Infinispan (the servlet WAR on Tomcat, which uses Hazelcast or the local store): the
 * provider must still load, so that ServiceLoader can go past it to the store chosen, and choosing Infinispan there
 * must fail with a message naming what to add, not a NoClassDefFoundError.
 */
class WithoutInfinispanTest {

    /** This module's classes, loaded by a class loader that sees core but neither Infinispan nor JGroups. */
    private static ClassLoader withoutInfinispan() throws Exception {
        ClassLoader tests = WithoutInfinispanTest.class.getClassLoader();
        ClassLoader hiding = new ClassLoader(tests) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.infinispan.") || name.startsWith("org.jgroups.") || name.startsWith("io.usageplans.infinispan.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }

            @Override
            public URL getResource(String name) {
                return name.startsWith("META-INF/services/") ? null : super.getResource(name);
            }

            @Override
            public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
                return name.startsWith("META-INF/services/") ? java.util.Collections.emptyEnumeration() : super.getResources(name);
            }
        };
        URL classes = Path.of("target", "classes").toUri().toURL();
        return new URLClassLoader(new URL[] {classes}, hiding);
    }

    @Test
    void theProviderLoadsWithoutInfinispanAndChoosingItNamesWhatToAdd() throws Exception {
        List<String> names = new ArrayList<>();
        UsageStoreProvider infinispan = null;
        for (UsageStoreProvider provider : ServiceLoader.load(UsageStoreProvider.class, withoutInfinispan())) {
            names.add(provider.name());
            if (provider.name().equals("infinispan")) {
                infinispan = provider;
            }
        }
        assertEquals(List.of("infinispan"), names);
        UsageStoreProvider chosen = infinispan;
        Map<String, String> settings = Map.of();
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> chosen.create(settings::get, Clock.systemUTC(), chosen.getClass().getClassLoader()));
        assertEquals("usage-plans: usageplans.store: is 'infinispan', but Infinispan is not on the class path: add "
                + "org.infinispan:infinispan-core 16.0, or on WildFly the module dependency org.infinispan.core (see the README)",
                e.getMessage());
    }
}
