package io.usageplans.config;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.usageplans.ApiKey;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.internal.KeyCsv;

import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The keys file that {@code apiKeysFile} names, in AWS's CSV import format ({@code key,name,description,enabled,
 * usageplanIds}): each row a key, each problem placed in the keys file at its line.
 */
final class KeysFileReader {

    private final PlanNodes nodes;
    private final Problems problems;
    private final KeyOrigins origins;
    private final PlanFileInput input;

    KeysFileReader(PlanNodes nodes, Problems problems, KeyOrigins origins, PlanFileInput input) {
        this.nodes = nodes;
        this.problems = problems;
        this.origins = origins;
        this.input = input;
    }

    /**
     * Reads the keys of the file that {@code apiKeysFile} names (AWS's CSV import format): a path relative to the plan
     * file (on the classpath too, when the plan file is), an absolute path, or {@code classpath:...}.
     */
    void read(Node node, List<ApiKey> keys) {
        String source = nodes.source();
        String location = nodes.requiredString(node, "apiKeysFile");
        String csvSource;
        String text;
        if (location.startsWith("classpath:") || (source.startsWith("classpath:") && !location.startsWith("file:")
                && !Path.of(location).isAbsolute())) {
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length())
                    : folderOf(source.substring("classpath:".length())) + location;
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            csvSource = "classpath:" + resource;
            InputStream in = input.loader() == null ? null : input.loader().getResourceAsStream(resource);
            if (in == null) {
                throw nodes.error(node, "apiKeysFile", "the keys file " + csvSource + " is not on the classpath");
            }
            text = input.read(in, csvSource, "the keys file");
        } else {
            Path path = Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
            if (!path.isAbsolute() && !source.startsWith("classpath:")) {
                path = Path.of(source).resolveSibling(path);
            }
            csvSource = path.toString();
            if (!Files.isRegularFile(path)) {
                throw nodes.error(node, "apiKeysFile", "the keys file " + location + " does not exist (resolved to "
                        + path.toAbsolutePath() + ")");
            }
            text = input.read(path, csvSource, "the keys file");
        }
        if (text.isBlank()) {
            throw new UsagePlansConfigException(csvSource, null, 0, "the keys file is empty; it needs a header line "
                    + "(key,name,description,enabled,usageplanIds) and one line per key");
        }
        KeyCsv.read(text, row -> {
            ApiKey key = problems.attempt(() -> csvKey(row, csvSource));
            if (key != null) {
                keys.add(key);
            }
        }, p -> problems.report(new UsagePlansConfigException(csvSource, null, p.line(),
                p.column() == null && p.message().startsWith("has ") ? "this line " + p.message() : p.message())));
    }

    /** {@code conf/} of {@code conf/usage-plans.yaml}; "" for a resource at the root. */
    private static String folderOf(String resource) {
        return resource.substring(0, resource.lastIndexOf('/') + 1);
    }

    /** A key of the keys file, or {@link Problems.Reported} when it has problems (all of them reported). */
    private ApiKey csvKey(KeyCsv.Row row, String csvSource) {
        int before = problems.found();
        String name = row.name().isEmpty() ? null : row.name();
        String entry = name == null ? "apiKeys[line " + row.line() + "]" : "apiKeys[" + name + "]";
        if (name == null) {
            problems.report(new UsagePlansConfigException(csvSource, entry + ".name", row.line(), "is required"));
        } else if (!origins.add(name, csvSource, row.line(), row.line())) {
            problems.report(new UsagePlansConfigException(csvSource, entry, row.line(), "key '" + name
                    + "' is defined twice; key names must be unique"));
        }
        ApiKey.Builder key = ApiKey.builder(name == null ? "-" : name).description(row.description().isEmpty() ? null
                : row.description());
        String valueProblem = ApiKey.problemWithValue(row.key());
        if (valueProblem != null) {
            problems.report(new UsagePlansConfigException(csvSource, entry + ".key", row.line(), "the key value "
                    + valueProblem + " (" + ApiKey.mask(row.key()) + ")"));
        } else {
            key.value(row.key());
        }
        Boolean enabled = row.enabledValue();
        if (enabled == null) {
            problems.report(new UsagePlansConfigException(csvSource, entry + ".enabled", row.line(),
                    "must be true or false, was '" + row.enabled() + "'"));
        }
        problems.failIfFound(before);
        return key.enabled(enabled).plans(row.plans()).build();
    }
}
