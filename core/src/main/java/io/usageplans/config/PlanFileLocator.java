package io.usageplans.config;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.usageplans.Catalog;
import io.usageplans.UsagePlansConfigException;

/**
 * Finds and reads the plan file: the setting {@code usageplans.config} (adapter parameter, system property,
 * environment variable {@code USAGEPLANS_CONFIG}), else {@code usage-plans.yaml}, {@code usage-plans.yml} or
 * {@code usage-plans.json} on the classpath. A configured location is a file path or {@code classpath:...}. The
 * setting {@value PlanFile#MAX_BYTES} (looked up the same way) limits the size of the file and of its keys file.
 */
public final class PlanFileLocator {

    /** The setting that names the plan file. */
    public static final String CONFIG = "usageplans.config";

    private static final String[] DEFAULT_RESOURCES = {"usage-plans.yaml", "usage-plans.yml", "usage-plans.json"};

    private PlanFileLocator() {
    }

    /** The catalog from the plan file found as described above; fails naming every place looked in. */
    public static Catalog load(UnaryOperator<String> adapterParameter, ClassLoader loader) {
        Optional<Setting> configured = Setting.find(CONFIG, adapterParameter);
        PlanFileInput limits = PlanFileInput.of(adapterParameter, loader);
        if (configured.isPresent()) {
            return loadConfigured(configured.get(), loader, limits);
        }
        for (String resource : DEFAULT_RESOURCES) {
            InputStream in = loader.getResourceAsStream(resource);
            if (in != null) {
                return PlanFile.load(in, "classpath:" + resource, limits);
            }
        }
        throw new UsagePlansConfigException(CONFIG, "no plan file found: set the init-param or system property "
                + CONFIG + " or the environment variable USAGEPLANS_CONFIG to a file path or classpath:..., or put "
                + "usage-plans.yaml or usage-plans.json on the classpath (e.g. WEB-INF/classes)");
    }

    private static Catalog loadConfigured(Setting setting, ClassLoader loader, PlanFileInput limits) {
        String location = setting.value();
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new UsagePlansConfigException(location, null, 0, "the plan file named by " + setting.origin()
                        + " is not on the classpath");
            }
            return PlanFile.load(in, location, limits);
        }
        Path file = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
        if (!Files.isRegularFile(file)) {
            throw new UsagePlansConfigException(location, null, 0, "the plan file named by " + setting.origin()
                    + " does not exist (resolved to " + file.toAbsolutePath() + ")");
        }
        return PlanFile.load(file, limits);
    }
}
