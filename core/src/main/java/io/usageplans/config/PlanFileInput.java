package io.usageplans.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.usageplans.UsagePlansConfigException;

/**
 * How a plan file and its keys file are read as text: refused, naming the setting to raise, when larger than the
 * limit {@value PlanFile#MAX_BYTES} (before reading a file on disk; at the first byte beyond it from a stream), and
 * where a keys file named relative to a plan file on the classpath is found (the class loader).
 *
 * @param maxBytes the size limit in bytes
 * @param origin where the limit was set (null: the default)
 * @param loader the class loader of classpath resources
 */
record PlanFileInput(long maxBytes, String origin, ClassLoader loader) {

    /** The largest array the JVM makes, which bounds what one file can be. */
    static final long LARGEST_ARRAY = Integer.MAX_VALUE - 16;

    /**
     * The limit of the setting {@value PlanFile#MAX_BYTES} as {@code parameter}, system property or environment variable
     * give it.
     */
    static PlanFileInput of(UnaryOperator<String> parameter, ClassLoader loader) {
        Optional<Setting> setting = Setting.find(PlanFile.MAX_BYTES, parameter);
        if (setting.isEmpty()) {
            return new PlanFileInput(PlanFile.DEFAULT_MAX_BYTES, null, loader);
        }
        Matcher m = Pattern.compile("(\\d{1,19})\\s*(?:([kKmMgG])(?:i?[bB])?)?")
                .matcher(setting.get().value());
        long bytes = -1;
        if (m.matches()) {
            try {
                int shift = m.group(2) == null ? 0 : switch (Character.toUpperCase(m.group(2).charAt(0))) {
                    case 'K' -> 10;
                    case 'M' -> 20;
                    default -> 30;
                };
                long number = Long.parseLong(m.group(1));
                bytes = number > (LARGEST_ARRAY >> shift) ? Long.MAX_VALUE : number << shift;
            } catch (NumberFormatException e) {
                bytes = Long.MAX_VALUE;
            }
        }
        if (bytes < 1 || bytes > LARGEST_ARRAY) {
            throw new UsagePlansConfigException(setting.get().origin(), "must be a number of bytes from 1 to " + LARGEST_ARRAY
                    + " (like 536870912, 512M or 1G), was '" + setting.get().value() + "'");
        }
        return new PlanFileInput(bytes, setting.get().origin(), loader);
    }

    /** The problem with a file of {@code size} bytes (or more), or null when it may be read. */
    String problemWithSize(String what, long size, boolean atLeast) {
        if (size <= maxBytes) {
            return null;
        }
        return what + " has " + (atLeast ? "more bytes than the limit of "
                : PlanNodes.format(size) + " bytes, more than the limit of ") + PlanNodes.format(maxBytes)
                + " (" + (origin == null ? "the default of the setting " + PlanFile.MAX_BYTES : origin)
                + "); to read it, raise " + PlanFile.MAX_BYTES + " (init-param, context-param, system property, or environment "
                + "variable " + Setting.environmentName(PlanFile.MAX_BYTES) + ")";
    }

    /** The file as text, refused before it is read when it is larger than the limit. */
    String read(Path file, String source, String what) {
        try {
            String problem = problemWithSize(what, Files.size(file), false);
            if (problem != null) {
                throw new UsagePlansConfigException(source, null, 0, problem);
            }
            try (InputStream in = Files.newInputStream(file)) {
                return read(in, source, what);
            }
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read " + what + ": " + e);
        }
    }

    /** The stream as text; reading stops, and fails, at the first byte beyond the limit. */
    String read(InputStream stream, String source, String what) {
        try (InputStream in = stream) {
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, LARGEST_ARRAY));
            String problem = problemWithSize(what, bytes.length, true);
            if (problem != null) {
                throw new UsagePlansConfigException(source, null, 0, problem);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsagePlansConfigException(source, null, 0, "cannot read " + what + ": " + e);
        }
    }

    /** The default limits, with the thread's context class loader (or core's). */
    static PlanFileInput defaults() {
        return of(null, defaultLoader());
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : PlanFile.class.getClassLoader();
    }
}
