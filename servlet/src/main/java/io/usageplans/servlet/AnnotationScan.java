package io.usageplans.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import jakarta.servlet.ServletContext;

/**
 * Finds the application's classes that mention an annotation, by looking for the annotation's type descriptor
 * ({@code Lio/usageplans/annotation/UsagePlan;}) in their class files under {@code WEB-INF/classes} and, when asked,
 * in the jars of {@code WEB-INF/lib}. Class-level and method-level annotations are found alike, which a
 * {@code @HandlesTypes} initializer cannot promise (Tomcat passes class-level ones only), and no class is loaded.
 * Runs once at start-up; bounded in files and bytes so that a huge WAR cannot stall a deployment.
 */
public final class AnnotationScan {

    private static final System.Logger LOG = System.getLogger(AnnotationScan.class.getName());
    private static final int MAX_CLASS_FILES = 50_000;
    private static final int MAX_CLASS_BYTES = 4 << 20;
    private static final String CLASSES = "/WEB-INF/classes/";
    private static final String LIB = "/WEB-INF/lib/";

    private AnnotationScan() {
    }

    /**
     * The names of classes whose class files contain one of {@code descriptors} (JVM type descriptors such as
     * {@code Ljakarta/ws/rs/Path;}); our own jars ({@code usage-plans-*.jar}) are skipped.
     */
    public static Set<String> classesMentioning(ServletContext context, List<String> descriptors, boolean libJars) {
        byte[][] needles = descriptors.stream().map(d -> d.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        Set<String> found = new LinkedHashSet<>();
        int[] files = {0};
        Deque<String> directories = new ArrayDeque<>(List.of(CLASSES));
        while (!directories.isEmpty() && files[0] < MAX_CLASS_FILES) {
            Set<String> paths = context.getResourcePaths(directories.pop());
            if (paths == null) {
                continue;
            }
            for (String path : paths) {
                if (path.endsWith("/")) {
                    directories.push(path);
                } else if (path.endsWith(".class") && files[0]++ < MAX_CLASS_FILES) {
                    try (InputStream in = context.getResourceAsStream(path)) {
                        if (in != null && mentions(in.readNBytes(MAX_CLASS_BYTES), needles)) {
                            found.add(className(path.substring(CLASSES.length())));
                        }
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.DEBUG, "usage-plans: cannot read {0}: {1}", path, e);
                    }
                }
            }
        }
        if (libJars) {
            Set<String> jars = context.getResourcePaths(LIB);
            for (String jar : jars == null ? Set.<String>of() : jars) {
                String name = jar.substring(jar.lastIndexOf('/') + 1);
                if (jar.endsWith(".jar") && !name.startsWith("usage-plans-")) {
                    scanJar(context, jar, needles, found, files);
                }
            }
        }
        if (files[0] >= MAX_CLASS_FILES) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: looked at the first {0} class files of the application only",
                    MAX_CLASS_FILES);
        }
        return found;
    }

    private static void scanJar(ServletContext context, String jar, byte[][] needles, Set<String> found, int[] files) {
        try (InputStream raw = context.getResourceAsStream(jar)) {
            if (raw == null) {
                return;
            }
            ZipInputStream zip = new ZipInputStream(raw);
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null && files[0] < MAX_CLASS_FILES; ) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                    files[0]++;
                    if (mentions(zip.readNBytes(MAX_CLASS_BYTES), needles)) {
                        found.add(className(name));
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, "usage-plans: cannot read {0}: {1}", jar, e);
        }
    }

    private static String className(String relativePath) {
        return relativePath.substring(0, relativePath.length() - ".class".length()).replace('/', '.');
    }

    private static boolean mentions(byte[] bytes, byte[][] needles) {
        for (byte[] needle : needles) {
            if (indexOf(bytes, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, last = haystack.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
