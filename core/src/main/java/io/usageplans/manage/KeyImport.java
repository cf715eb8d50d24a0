package io.usageplans.manage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import io.usageplans.ApiKey;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.internal.KeyCsv;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.AdminException.RowError;

/**
 * Keys imported from CSV in AWS's format, all or nothing: every row is checked (value, name, enabled, plans, and the
 * catalog with the new keys as a whole) before any key is added.
 */
final class KeyImport {

    private final AdminContext context;
    private final StagePlans plans;
    private final KeyOperations keys;

    KeyImport(AdminContext context, StagePlans plans, KeyOperations keys) {
        this.context = context;
        this.plans = plans;
        this.keys = keys;
    }

    List<ApiKey> importCsv(String csv) {
        if (csv == null || csv.isBlank()) {
            throw new AdminException(Kind.INVALID, "csv", null, "the CSV is empty; it needs a header line "
                    + "(key,name,description,enabled,usageplanIds) and one line per key");
        }
        RowErrors errors = new RowErrors();
        List<KeyCsv.Row> rows = new ArrayList<>();
        int lines = KeyCsv.read(csv, rows::add, p -> errors.add(new RowError(p.line(), p.column(), p.value(), p.message())));
        if (!errors.isEmpty() && rows.isEmpty()) {
            throw failed(errors);
        }
        if (lines == 0) {
            throw new AdminException(Kind.INVALID, "csv", null, "the CSV has a header but no keys");
        }
        List<ApiKey> existing = keys.keys();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (ApiKey key : existing) {
            names.add(key.name());
            hashes.add(HexFormat.of().formatHex(key.valueSha256()));
        }
        List<ApiKey> imported = new ArrayList<>();
        for (KeyCsv.Row row : rows) {
            ApiKey key = check(row, names, hashes, errors);
            if (key != null) {
                imported.add(key);
            }
        }
        errors.sortByRow(); // field-count problems came first; file order
        if (errors.isEmpty()) {
            List<ApiKey> all = new ArrayList<>(existing);
            all.addAll(imported);
            try {
                context.catalog().withApiKeys(all); // plans per stage and the like, before anything changes
            } catch (UsagePlansConfigException e) {
                throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw failed(errors);
        }
        keys.add(imported);
        keys.audit().change("imported " + imported.size() + " keys from CSV", "none",
                imported.stream().map(ApiKey::name).limit(10).toList() + (imported.size() > 10 ? " and "
                        + (imported.size() - 10) + " more" : ""));
        return imported;
    }

    /** The key on {@code row}, or null after adding to {@code errors} what is wrong with it. */
    private ApiKey check(KeyCsv.Row row, Set<String> names, Set<String> hashes, RowErrors errors) {
        int before = errors.size();
        String value = row.key();
        String name = row.name();
        String valueProblem = ApiKey.problemWithValue(value);
        if (valueProblem != null) {
            errors.add(new RowError(row.line(), "key", ApiKey.mask(value), "the key value " + valueProblem));
        } else if (!hashes.add(ApiKey.sha256Hex(value))) {
            errors.add(new RowError(row.line(), "key", ApiKey.mask(value), "another key has this value already"));
        }
        String nameProblem = KeyOperations.problemWithName(name);
        if (nameProblem != null) {
            errors.add(new RowError(row.line(), "name", name, nameProblem));
        } else if (!names.add(name)) {
            errors.add(new RowError(row.line(), "name", name, "a key named '" + name + "' exists already"));
        }
        Boolean enabled = row.enabledValue();
        if (enabled == null) {
            errors.add(new RowError(row.line(), "enabled", row.enabled(), "must be true or false"));
        }
        List<String> planNames = row.plans();
        for (String plan : planNames) {
            if (!plans.exists(plan)) {
                errors.add(new RowError(row.line(), "usageplanIds", plan, "unknown plan '" + plan + "'; the plans are "
                        + plans.names()));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        try {
            return ApiKey.builder(name).description(row.description()).enabled(enabled).plans(planNames).value(value).build();
        } catch (IllegalArgumentException e) {
            errors.add(new RowError(row.line(), null, null, e.getMessage()));
            return null;
        }
    }

    private static AdminException failed(RowErrors errors) {
        StringBuilder message = new StringBuilder("nothing was imported: ").append(errors.size())
                .append(errors.size() == 1 ? " problem" : " problems");
        for (RowError e : errors.kept.subList(0, Math.min(errors.kept.size(), RowErrors.IN_MESSAGE))) {
            message.append("; line ").append(e.row()).append(e.field() == null ? "" : " " + e.field()).append(": ").append(e.message());
        }
        if (errors.size() > RowErrors.IN_MESSAGE) {
            message.append("; and ").append(errors.size() - RowErrors.IN_MESSAGE).append(" more");
        }
        return new AdminException(Kind.INVALID, "csv", null, message.toString(), errors.kept);
    }

    /**
     * An import's bad rows: all counted, the first {@value #KEPT} kept, the first {@value #IN_MESSAGE} in the message,
     * so that a large file of bad rows costs no more memory than a small one.
     */
    private static final class RowErrors {
        static final int KEPT = 100;
        static final int IN_MESSAGE = 10;

        final List<RowError> kept = new ArrayList<>();
        int count;

        void add(RowError error) {
            if (count++ < KEPT) {
                kept.add(error);
            }
        }

        int size() {
            return count;
        }

        boolean isEmpty() {
            return count == 0;
        }

        void sortByRow() {
            kept.sort(Comparator.comparingInt(RowError::row));
        }
    }
}
