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
        return locate(adapterParameter, loader).load();
    }

    /**
     * Where the plan file is, as {@link #load} finds it, without reading it.
     *
     * @throws UsagePlansConfigException when there is none, naming every place looked in
     */
    static Located locate(UnaryOperator<String> adapterParameter, ClassLoader loader) {
        Optional<Setting> configured = Setting.find(CONFIG, adapterParameter);
        PlanFileInput limits = PlanFileInput.of(adapterParameter, loader);
        if (configured.isPresent()) {
            return locateConfigured(configured.get(), loader, limits);
        }
        for (String resource : DEFAULT_RESOURCES) {
            if (loader.getResource(resource) != null) {
                return new Located(null, resource, "classpath:" + resource, limits, loader);
            }
        }
        throw new UsagePlansConfigException(CONFIG, "no plan file found: set the init-param or system property "
                + CONFIG + " or the environment variable USAGEPLANS_CONFIG to a file path or classpath:..., or put "
                + "usage-plans.yaml or usage-plans.json on the classpath (e.g. WEB-INF/classes)");
    }

    private static Located locateConfigured(Setting setting, ClassLoader loader, PlanFileInput limits) {
        String location = setting.value();
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            if (loader.getResource(resource) == null) {
                throw new UsagePlansConfigException(location, null, 0, "the plan file named by " + setting.origin()
                        + " is not on the classpath");
            }
            return new Located(null, resource, location, limits, loader);
        }
        Path file = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
        if (!Files.isRegularFile(file)) {
            throw new UsagePlansConfigException(location, null, 0, "the plan file named by " + setting.origin()
                    + " does not exist (resolved to " + file.toAbsolutePath() + ")");
        }
        return new Located(file, null, file.toString(), limits, loader);
    }

    /**
     * A plan file found: on disk ({@code file}) or a class path {@code resource}, named {@code source} in messages and
     * in {@link Catalog#source()}.
     */
    record Located(Path file, String resource, String source, PlanFileInput limits, ClassLoader loader) {

        /** The catalog the file holds now. */
        Catalog load() {
            return PlanFile.parse(text(), source, limits);
        }

        /** The file's text now, read within the size limit. */
        String text() {
            if (file != null) {
                return limits.read(file, source, "the plan file");
            }
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new UsagePlansConfigException(source, null, 0, "the plan file is no longer on the classpath");
            }
            return limits.read(in, source, "the plan file");
        }
    }
}
