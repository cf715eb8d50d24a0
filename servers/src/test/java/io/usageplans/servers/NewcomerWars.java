package io.usageplans.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.example.orders.code.CodeCatalog;

/**
 * The newcomer app's WARs ({@code newcomer-app}, built from the README's guide alone), and copies of them with the
 * mistakes a newcomer makes: each copy differs from the right WAR in one entry, rewritten like {@link BrokenWar}.
 * One more copy builds its catalog in code ({@link CodeCatalog}) instead of reading the plan file.
 */
final class NewcomerWars {

    /** For servers that bring CDI and JAX-RS: the app and our jars. */
    static final String EE_WAR = "orders-ee.war";
    /** For Tomcat and Jetty: also Weld and Jersey. */
    static final String SERVLET_WAR = "orders-servlet.war";

    static final String WEB_XML = "WEB-INF/web.xml";
    static final String PLAN_FILE = "WEB-INF/classes/usage-plans.yaml";
    /** The CDI module's jar, which reads the annotations on JAX-RS resources. */
    static final Pattern CDI_JAR = Pattern.compile("WEB-INF/lib/usage-plans-cdi-[^/]*\\.jar");
    /** The context-param that names the stage (and the comment above it). */
    static final Pattern STAGE_PARAM = Pattern.compile(
            "(?:[ \\t]*<!--[^>]*-->\\s*)?[ \\t]*<context-param>\\s*<param-name>usageplans\\.stage</param-name>.*?</context-param>\\s*",
            Pattern.DOTALL);
    /** The plan file's method key, as the README has it: relative to the context, with the JAX-RS application path. */
    static final String METHOD_KEY = "\"/api/orders/{id}/GET\"";
    /** The same key without the application path, as a newcomer reading the resource's {@code @Path} writes it. */
    static final String METHOD_KEY_WITHOUT_APPLICATION_PATH = "\"/orders/{id}/GET\"";

    private NewcomerWars() {
    }

    /** A WAR the newcomer-app module built. */
    static Path war(String name) {
        Path war = Harness.NEWCOMER_WARS.resolve(name);
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException(war + " does not exist: build the newcomer app first (mvn -B package -DskipTests "
                    + "from the repository root, or run this module with newcomer-app in the reactor)");
        }
        return war;
    }

    /** Mistake 1, "servlet jar only": the WAR without {@code usage-plans-cdi}, its annotated resources unread. */
    static Path withoutCdiJar(Path war) throws IOException {
        return copy(war, "mistake1", (name, content) -> CDI_JAR.matcher(name).matches() ? null : content);
    }

    /** Mistake 2, "a context path that is not a stage": the WAR without the {@code usageplans.stage} context-param. */
    static Path withoutStageParam(Path war) throws IOException {
        return copy(war, "orders-tomcat", (name, content) -> {
            if (!name.equals(WEB_XML)) {
                return content;
            }
            String xml = new String(content, StandardCharsets.UTF_8);
            String changed = STAGE_PARAM.matcher(xml).replaceAll("");
            if (changed.equals(xml) || changed.contains("usageplans.stage")) {
                throw new IllegalStateException(war + ": no usageplans.stage context-param to remove in " + WEB_XML + ":\n" + xml);
            }
            return changed.getBytes(StandardCharsets.UTF_8);
        });
    }

    /** Mistake 3: the plan file's method key written without the JAX-RS application path ({@code /api}). */
    static Path methodKeyWithoutApplicationPath(Path war) throws IOException {
        return copy(war, "mistake3", (name, content) -> {
            if (!name.equals(PLAN_FILE)) {
                return content;
            }
            String plan = new String(content, StandardCharsets.UTF_8);
            if (!plan.contains(METHOD_KEY)) {
                throw new IllegalStateException(war + ": no " + METHOD_KEY + " in " + PLAN_FILE + ":\n" + plan);
            }
            return plan.replace(METHOD_KEY, METHOD_KEY_WITHOUT_APPLICATION_PATH).getBytes(StandardCharsets.UTF_8);
        });
    }

    /**
     * The catalog built in code, as the README has it ({@code @Produces @Alternative @Priority(1) @Singleton Catalog}):
     * the WAR without its plan file and with {@link CodeCatalog} (compiled with this module's tests) in
     * {@code WEB-INF/classes}.
     */
    static Path withCatalogInCode(Path war) throws IOException {
        return withCatalogInCode(war, CodeCatalog.class, "code");
    }

    /** As {@link #withCatalogInCode(Path)}, with the producer class {@code producer}, as variant {@code variant}. */
    static Path withCatalogInCode(Path war, Class<?> producer, String variant) throws IOException {
        String name = producer.getName().replace('.', '/') + ".class";
        byte[] compiled;
        try (InputStream in = producer.getResourceAsStream(producer.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath");
            }
            compiled = in.readAllBytes();
        }
        boolean[] hadPlanFile = {false};
        Path copy = copy(war, variant, (entry, content) -> {
            if (!entry.equals(PLAN_FILE)) {
                return content;
            }
            hadPlanFile[0] = true;
            return null;
        }, Map.of("WEB-INF/classes/" + name, compiled));
        if (!hadPlanFile[0]) {
            throw new IllegalStateException(war + ": no " + PLAN_FILE + " to leave out");
        }
        return copy;
    }

    /** What to write for an entry, given its name and content; {@code null} leaves it out. */
    private interface Rewrite {
        byte[] apply(String name, byte[] content) throws IOException;
    }

    /** {@code target/wars/newcomer-VARIANT-NAME.war}: the WAR with its entries rewritten; fails unless one changed. */
    private static Path copy(Path war, String variant, Rewrite rewrite) throws IOException {
        return copy(war, variant, rewrite, Map.of());
    }

    /**
     * The same, with entries {@code added} (name to content) after the others, and their directories as needed; none
     * may be in the WAR already.
     */
    private static Path copy(Path war, String variant, Rewrite rewrite, Map<String, byte[]> added) throws IOException {
        Path copy = Harness.WORK.resolve("wars").resolve("newcomer-" + variant + "-" + war.getFileName());
        Files.createDirectories(copy.getParent());
        boolean changed = !added.isEmpty();
        try (ZipFile in = new ZipFile(war.toFile()); OutputStream file = Files.newOutputStream(copy);
                ZipOutputStream out = new ZipOutputStream(file)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                byte[] content = new byte[0];
                if (!entry.isDirectory()) {
                    try (InputStream stream = in.getInputStream(entry)) {
                        content = stream.readAllBytes();
                    }
                }
                byte[] written = entry.isDirectory() ? content : rewrite.apply(entry.getName(), content);
                if (written != content) {
                    changed = true;
                }
                if (written == null) {
                    continue;
                }
                ZipEntry copied = new ZipEntry(entry.getName());
                copied.setTime(entry.getTime());
                out.putNextEntry(copied);
                out.write(written);
                out.closeEntry();
            }
            Map<String, byte[]> toAdd = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> entry : added.entrySet()) {
                if (in.getEntry(entry.getKey()) != null) {
                    throw new IllegalStateException(war + " already has " + entry.getKey());
                }
                String name = entry.getKey();
                for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                    String directory = name.substring(0, slash + 1);
                    if (in.getEntry(directory) == null) {
                        toAdd.putIfAbsent(directory, new byte[0]);
                    }
                }
                toAdd.put(name, entry.getValue());
            }
            for (Map.Entry<String, byte[]> entry : toAdd.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        if (!changed) {
            throw new IllegalStateException(war + ": nothing to change for " + variant);
        }
        return copy;
    }
}
