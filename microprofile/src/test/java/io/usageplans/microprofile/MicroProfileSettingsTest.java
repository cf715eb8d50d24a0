package io.usageplans.microprofile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.EngineBootstrap;
import io.usageplans.config.Setting;
import io.usageplans.config.Settings;
import io.usageplans.store.lease.ClusterSettings;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Settings through MicroProfile Config (SmallRye Config, as WildFly runs it): the order init-param, context-param,
 * then MP Config with its own ordinals (system properties 400, environment 300, microprofile-config.properties 100),
 * and a bad value named with its setting and its source.
 */
class MicroProfileSettingsTest {

    private static final String FILE = "META-INF/microprofile-config.properties";
    private static final String REPORT_DAYS = "usageplans.report-days";

    private final Map<String, String> file = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private SmallRyeConfig registered;

    @AfterEach
    void release() {
        if (registered != null) {
            ConfigProviderResolver.instance().releaseConfig(registered);
        }
        System.clearProperty(REPORT_DAYS);
    }

    /** Runs {@code body} as an application whose class loader has the MP Config made of {@link #file} and {@link #environment}. */
    private <T> T inApplication(Callable<T> body) throws Exception {
        ClassLoader application = new URLClassLoader(new URL[0], getClass().getClassLoader());
        registered = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(file, FILE, 100), new EnvConfigSource(environment, 300),
                        new SysPropConfigSource())
                .build();
        ConfigProviderResolver.instance().registerConfig(registered, application);
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            return body.call();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void settingInMicroprofileConfigPropertiesIsUsedAndNamesItsSource() throws Exception {
        file.put(REPORT_DAYS, "7");
        Setting setting = inApplication(() -> Setting.find(REPORT_DAYS, null)).orElseThrow();
        assertEquals("7", setting.value());
        assertTrue(setting.origin().startsWith("MicroProfile Config usageplans.report-days from "), setting.origin());
        assertTrue(setting.origin().contains(FILE), setting.origin());
        assertEquals(7, inApplication(() -> EngineBootstrap.reportDays(null)));
    }

    @Test
    void theApplicationsOwnPropertiesFileIsReadThroughTheDefaultConfiguration() {
        // no registered configuration: SmallRye builds the default one of this class loader, with the test's
        // META-INF/microprofile-config.properties
        Setting setting = Setting.find("usageplans.exclude", null).orElseThrow();
        assertEquals("/from-the-properties-file", setting.value());
        assertTrue(setting.origin().contains("microprofile-config.properties"), setting.origin());
    }

    @Test
    void systemPropertyBeatsEnvironmentWhichBeatsThePropertiesFile() throws Exception {
        file.put(REPORT_DAYS, "7");
        environment.put("USAGEPLANS_REPORT_DAYS", "8"); // MP's mapping of usageplans.report-days
        Setting fromEnvironment = inApplication(() -> Setting.find(REPORT_DAYS, null)).orElseThrow();
        assertEquals("8", fromEnvironment.value());
        assertTrue(fromEnvironment.origin().contains("EnvConfigSource"), fromEnvironment.origin());

        System.setProperty(REPORT_DAYS, "9");
        Setting fromProperty = inApplication(() -> Setting.find(REPORT_DAYS, null)).orElseThrow();
        assertEquals("9", fromProperty.value());
        assertTrue(fromProperty.origin().contains("SysPropConfigSource"), fromProperty.origin());
    }

    @Test
    void initParamThenContextParamComeBeforeMicroprofileConfig() throws Exception {
        file.put(REPORT_DAYS, "7");
        System.setProperty(REPORT_DAYS, "9");
        Map<String, String> init = Map.of(REPORT_DAYS, "1");
        Map<String, String> context = Map.of(REPORT_DAYS, "2");
        Setting fromContext = inApplication(() -> Settings.of(null, context::get).find(REPORT_DAYS)).orElseThrow();
        assertEquals("2", fromContext.value());
        assertEquals("context-param usageplans.report-days", fromContext.origin());
        Setting fromInit = inApplication(() -> Settings.of(init::get, context::get).find(REPORT_DAYS)).orElseThrow();
        assertEquals("1", fromInit.value());
        assertEquals("init-param usageplans.report-days", fromInit.origin());
    }

    @Test
    void badValueFromThePropertiesFileNamesTheSettingAndTheFile() throws Exception {
        file.put(REPORT_DAYS, "abc");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> inApplication(() -> EngineBootstrap.reportDays(null)));
        assertTrue(e.getMessage().startsWith("usage-plans: MicroProfile Config usageplans.report-days from "), e.getMessage());
        assertTrue(e.getMessage().contains(FILE), e.getMessage());
        assertTrue(e.getMessage().endsWith(": must be a whole number of days, 0 or more, was 'abc'"), e.getMessage());
    }

    @Test
    void badClusterSyncIntervalNamesTheSettingAndTheFile() throws Exception {
        file.put(ClusterSettings.SYNC_INTERVAL, "abc");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> inApplication(() -> {
            var values = Settings.system().values();
            return ClusterSettings.fromSettings(values, name -> Settings.origin(values, name));
        }));
        assertTrue(e.getMessage().startsWith("usage-plans: MicroProfile Config usageplans.cluster.sync-interval from "),
                e.getMessage());
        assertTrue(e.getMessage().contains(FILE), e.getMessage());
        assertTrue(e.getMessage().contains("was 'abc'"), e.getMessage());
    }

    @Test
    void badHazelcastTimeoutNamesTheSettingAndTheFileBeforeAnyMemberStarts() throws Exception {
        file.put("usageplans.hazelcast.timeout", "abc");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> inApplication(() ->
                new io.usageplans.hazelcast.HazelcastStoreProvider().create(Settings.system().values(),
                        java.time.Clock.systemUTC(), getClass().getClassLoader())));
        assertTrue(e.getMessage().startsWith("usage-plans: MicroProfile Config usageplans.hazelcast.timeout from "), e.getMessage());
        assertTrue(e.getMessage().contains(FILE), e.getMessage());
        assertTrue(e.getMessage().endsWith(": must be a positive whole number, was 'abc'"), e.getMessage());
    }

    @Test
    void withoutTheMicroprofileConfigApiTheSourceAnswersNothing() throws Exception {
        // this jar and core, without MicroProfile on the class path: as on Tomcat
        URL own = MicroProfileSettings.class.getProtectionDomain().getCodeSource().getLocation();
        URL core = Setting.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader tomcat = new URLClassLoader(new URL[] {own, core}, ClassLoader.getPlatformClassLoader())) {
            Class<?> source = tomcat.loadClass(MicroProfileSettings.class.getName());
            Object instance = source.getConstructor().newInstance();
            Method find = source.getMethod("find", String.class, ClassLoader.class);
            file.put(REPORT_DAYS, "7");
            System.setProperty(REPORT_DAYS, "9");
            assertEquals(Optional.empty(), find.invoke(instance, REPORT_DAYS, tomcat));
        }
    }
}
