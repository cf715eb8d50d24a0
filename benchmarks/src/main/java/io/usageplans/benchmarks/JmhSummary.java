package io.usageplans.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JMH results (written with {@code -rf csv -rff FILE}) as one Markdown table: ns/op with its 99.9% error and
 * the bytes allocated per operation ({@code gc.alloc.rate.norm} of {@code -prof gc}).
 * {@code java -cp benchmarks.jar io.usageplans.benchmarks.JmhSummary results.csv ...}
 */
public final class JmhSummary {

    private JmhSummary() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>(); // benchmark + params -> {ns/op, error, threads, B/op}
        List<String> paramNames = new ArrayList<>();
        for (String file : args) {
            List<String> lines = Files.readAllLines(Path.of(file));
            if (lines.isEmpty()) {
                continue;
            }
            List<String> header = split(lines.get(0));
            for (String line : lines.subList(1, lines.size())) {
                List<String> f = split(line);
                String name = f.get(0);
                String metric = null;
                int colon = name.indexOf(':');
                if (colon >= 0) {
                    metric = name.substring(colon + 1);
                    name = name.substring(0, colon);
                }
                name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1); // Class.method
                StringBuilder params = new StringBuilder();
                for (int i = 7; i < header.size() && i < f.size(); i++) {
                    String p = header.get(i).replace("Param: ", "");
                    if (!paramNames.contains(p)) {
                        paramNames.add(p);
                    }
                    if (!f.get(i).isEmpty()) {
                        params.append(params.length() == 0 ? "" : ", ").append(p).append('=').append(f.get(i));
                    }
                }
                String key = name + " | " + params;
                String[] row = rows.computeIfAbsent(key, k -> new String[] {"", "", f.get(2), ""});
                if (metric == null) {
                    row[0] = f.get(4);
                    row[1] = f.get(5);
                } else if (metric.equals("gc.alloc.rate.norm")) {
                    row[3] = f.get(4);
                }
            }
        }
        System.out.println("| benchmark | params | threads | ns/op | ± (99.9%) | B/op |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Map.Entry<String, String[]> e : rows.entrySet()) {
            String[] r = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", e.getKey(), r[2], number(r[0], "%.1f"), number(r[1], "%.1f"),
                    number(r[3], "%.0f"));
        }
    }

    private static String number(String text, String format) {
        try {
            double v = Double.parseDouble(text);
            return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, Math.abs(v) < 0.5 && format.equals("%.0f") ? 0.0 : v);
        } catch (NumberFormatException e) {
            return text.isEmpty() ? "–" : text;
        }
    }

    /** One CSV line as JMH writes it: fields in double quotes or bare numbers, separated by commas. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
