package io.usageplans.config;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.usageplans.UsagePlansConfigException;

/**
 * Where the keys came from, by name: the file (the plan file or its keys file), the line of the key and of its
 * plans. Two ints and a reference per key, where map entries of "apiKeys[name]" strings would be a few hundred
 * bytes: this lives as long as reading does, for a million keys too.
 */
final class KeyOrigins {

    private final Map<String, Integer> index = new HashMap<>();
    private int[] lines = new int[64];
    private int[] plansLines = new int[64];
    private String[] sources = new String[64];
    private int size;

    /** Records the first key of {@code name}; false (and nothing recorded) when the name was seen before. */
    boolean add(String name, String source, int line, int plansLine) {
        if (index.putIfAbsent(name, size) != null) {
            return false;
        }
        if (size == lines.length) {
            lines = Arrays.copyOf(lines, size * 2);
            plansLines = Arrays.copyOf(plansLines, size * 2);
            sources = Arrays.copyOf(sources, size * 2);
        }
        lines[size] = line;
        plansLines[size] = plansLine;
        sources[size++] = source;
        return true;
    }

    boolean contains(String name) {
        return index.containsKey(name);
    }

    /** The index of the key of {@code entry} ({@code apiKeys[name]} or {@code apiKeys[name].plans}), or -1. */
    int of(String entry) {
        String name = entry.endsWith("].plans") ? entry.substring("apiKeys[".length(), entry.length() - "].plans".length())
                : entry.endsWith("]") ? entry.substring("apiKeys[".length(), entry.length() - 1) : null;
        Integer i = name == null ? null : index.get(name);
        return i == null ? -1 : i;
    }

    /**
     * A problem with the key of {@code entry} found after it was read, placed in its file at its line (or at its plans'
     * line); in {@code planFile}, without a line, when no key of that name was read.
     */
    UsagePlansConfigException problem(String entry, String problem, String planFile) {
        int i = of(entry);
        if (i < 0) {
            return new UsagePlansConfigException(planFile, entry, 0, problem);
        }
        int line = entry.endsWith(".plans") ? plansLines[i] : lines[i];
        return new UsagePlansConfigException(sources[i], entry, line, problem);
    }
}
