package io.usageplans.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where entries of the plan file are ({@code plans[premium]}, {@code skip[0]}, a method key's fields): the catalog and
 * the adapters find some problems only after reading, and place them in the file by these lines.
 */
final class EntryLines {

    private final Map<String, Integer> lineOfEntry = new LinkedHashMap<>();

    /** Records the line of {@code entry}, unless one is recorded already. */
    void put(String entry, int line) {
        lineOfEntry.putIfAbsent(entry, line);
    }

    /** The line of {@code entry}, or of the first recorded entry it is part of; 0 when none is known. */
    int lineOf(String entry) {
        if (entry == null) {
            return 0;
        }
        Integer exact = lineOfEntry.get(entry);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, Integer> e : lineOfEntry.entrySet()) {
            if (entry.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return 0;
    }

    void forEach(BiConsumer<String, Integer> action) {
        lineOfEntry.forEach(action);
    }
}
