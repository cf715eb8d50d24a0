package io.usageplans.manage;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaWindow;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.internal.KeyCsv;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.manage.AdminException.RowError;
import io.usageplans.spi.DailyUsage;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStore;

/**
 * What an operator does with a running engine, as AWS offers it for usage plans: usage reports (GetUsage), keys
 * created with a generated value, imported from CSV, enabled, disabled, moved and rotated, and a key's remaining
 * quota extended or reset (UpdateUsage). Key changes go through the engine's {@link io.usageplans.spi.KeyDirectory},
 * so with a clustered store they apply on every member at once. Every refusal is an {@link AdminException} naming
 * the field and value.
 */
public final class UsagePlansAdmin {

    /** The longest range of days one report covers. */
    public static final int MAX_REPORT_DAYS = 366;
    /** Length of generated key values: 40 characters from 62 letters and digits, about 238 bits. */
    public static final int GENERATED_LENGTH = 40;

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(UsagePlansAdmin.class.getName());

    private final UsagePlans engine;

    public UsagePlansAdmin(UsagePlans engine) {
        this.engine = engine;
    }

    public UsagePlans engine() {
        return engine;
    }

    /** The plans that apply to the engine's stage, in the plan file's order. */
    public List<Plan> plans() {
        return engine.catalog().plans().stream().filter(p -> engine.planOnStage(p.name()).isPresent()).toList();
    }

    /** The keys, as this member sees them now (hashes only). */
    public List<ApiKey> keys() {
        return engine.keyDirectory().keys();
    }

    public ApiKey key(String name) {
        return find(name).orElseThrow(() -> new AdminException(Kind.NOT_FOUND, "keyId", name, "no key named '" + name + "'"));
    }

    private java.util.Optional<ApiKey> find(String name) {
        return keys().stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** Creates a key with a generated value, shown once in the result. */
    public CreatedKey createKey(String name, String description, boolean enabled, List<String> plans) {
        checkName(name);
        String value = generateValue();
        ApiKey key = ApiKey.builder(name).description(description).enabled(enabled).plans(plans == null ? List.of() : plans)
                .value(value).build();
        if (find(name).isPresent()) {
            throw new AdminException(Kind.CONFLICT, "name", name, "a key named '" + name + "' exists already");
        }
        checkPlans(plans, "plans");
        add(List.of(key));
        LOG.log(System.Logger.Level.INFO, "usage-plans: key ''{0}'' created ({1}) on plans {2}", name, key.hint(), key.plans());
        return new CreatedKey(key, value);
    }

    /**
     * Imports keys from CSV in AWS's format: a header naming the columns {@code key} and {@code name} (required),
     * {@code description}, {@code enabled} and {@code usageplanIds} (plan names, separated by {@code ;} or {@code ,}
     * in a quoted field), in any order and case. Every row is checked first; if any is bad, nothing is imported and
     * the exception lists each bad row.
     */
    public List<ApiKey> importCsv(String csv) {
        if (csv == null || csv.isBlank()) {
            throw new AdminException(Kind.INVALID, "csv", null, "the CSV is empty; it needs a header line "
                    + "(key,name,description,enabled,usageplanIds) and one line per key");
        }
        RowErrors errors = new RowErrors();
        List<KeyCsv.Row> rows = new ArrayList<>();
        int lines = KeyCsv.read(csv, rows::add, p -> errors.add(new RowError(p.line(), p.column(), p.value(), p.message())));
        if (!errors.isEmpty() && rows.isEmpty()) {
            throw importFailed(errors);
        }
        if (lines == 0) {
            throw new AdminException(Kind.INVALID, "csv", null, "the CSV has a header but no keys");
        }
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (ApiKey existing : keys()) {
            names.add(existing.name());
            hashes.add(HexFormat.of().formatHex(existing.valueSha256()));
        }
        List<ApiKey> imported = new ArrayList<>();
        for (KeyCsv.Row line : rows) {
            int before = errors.size();
            String value = line.key();
            String name = line.name();
            String description = line.description();
            String valueProblem = ApiKey.problemWithValue(value);
            if (valueProblem != null) {
                errors.add(new RowError(line.line(), "key", ApiKey.mask(value), "the key value " + valueProblem));
            } else if (!hashes.add(ApiKey.sha256Hex(value))) {
                errors.add(new RowError(line.line(), "key", ApiKey.mask(value), "another key has this value already"));
            }
            String nameProblem = problemWithName(name);
            if (nameProblem != null) {
                errors.add(new RowError(line.line(), "name", name, nameProblem));
            } else if (!names.add(name)) {
                errors.add(new RowError(line.line(), "name", name, "a key named '" + name + "' exists already"));
            }
            Boolean enabled = line.enabledValue();
            if (enabled == null) {
                errors.add(new RowError(line.line(), "enabled", line.enabled(), "must be true or false"));
            }
            List<String> plans = line.plans();
            for (String plan : plans) {
                if (engine.catalog().plan(plan).isEmpty()) {
                    errors.add(new RowError(line.line(), "usageplanIds", plan, "unknown plan '" + plan + "'; the plans are "
                            + planNames()));
                }
            }
            if (errors.size() > before) {
                continue;
            }
            try {
                imported.add(ApiKey.builder(name).description(description).enabled(enabled).plans(plans).value(value).build());
            } catch (IllegalArgumentException e) {
                errors.add(new RowError(line.line(), null, null, e.getMessage()));
            }
        }
        errors.sortByRow(); // field-count problems came first; file order
        if (errors.isEmpty()) {
            try {
                engine.catalog().withApiKeys(concat(keys(), imported)); // plans per stage and the like, before anything changes
            } catch (UsagePlansConfigException e) {
                throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw importFailed(errors);
        }
        add(imported);
        LOG.log(System.Logger.Level.INFO, "usage-plans: {0} keys imported from CSV", imported.size());
        return imported;
    }

    public ApiKey setEnabled(String name, boolean enabled) {
        ApiKey key = update(name, k -> k.withEnabled(enabled));
        LOG.log(System.Logger.Level.INFO, "usage-plans: key ''{0}'' {1}", name, enabled ? "enabled" : "disabled");
        return key;
    }

    /** Moves the key to other plans (its usage on the old plan stays in the reports). */
    public ApiKey setPlans(String name, List<String> plans) {
        checkPlans(plans, "plans");
        ApiKey key = update(name, k -> k.withPlans(plans));
        LOG.log(System.Logger.Level.INFO, "usage-plans: key ''{0}'' moved to plans {1}", name, plans);
        return key;
    }

    public ApiKey setDescription(String name, String description) {
        return update(name, k -> k.withDescription(description));
    }

    /**
     * Gives the key a new generated value. The old value stays valid for {@code grace} (0: not at all), so clients
     * can switch without a failed request; a key's previous value from an earlier rotation is dropped.
     */
    public CreatedKey rotate(String name, Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new AdminException(Kind.INVALID, "gracePeriodSeconds", grace == null ? null : String.valueOf(grace.toSeconds()),
                    "the grace period must be 0 or more seconds");
        }
        String value = generateValue();
        Instant until = grace.isZero() ? null : engine.clock().instant().plus(grace);
        ApiKey key = update(name, k -> k.rotatedTo(value, until));
        LOG.log(System.Logger.Level.INFO, "usage-plans: key ''{0}'' rotated to {1}; the old value is valid {2}", name, key.hint(),
                until == null ? "no longer" : "until " + until);
        return new CreatedKey(key, value);
    }

    public void deleteKey(String name) {
        try {
            engine.keyDirectory().remove(name);
        } catch (NoSuchElementException e) {
            throw new AdminException(Kind.NOT_FOUND, "keyId", name, "no key named '" + name + "'");
        }
        LOG.log(System.Logger.Level.INFO, "usage-plans: key ''{0}'' deleted", name);
    }

    /** The key's quota on the plan in the current period. */
    public QuotaStatus quota(String planName, String keyName) {
        Plan plan = quotaPlan(planName);
        key(keyName);
        QuotaWindow window = engine.quotaWindow(planName);
        long used = call(UsageStore.Capability.QUOTA_READ,
                () -> store().quotaUsed(UsageStore.stateKey(keyName, planName), window));
        return status(plan, keyName, window, used);
    }

    /** Sets what remains of the key's quota this period (AWS UpdateUsage {@code replace /remaining}). */
    public QuotaStatus setRemaining(String planName, String keyName, long remaining) {
        if (remaining < 0) {
            throw new AdminException(Kind.INVALID, "remaining", String.valueOf(remaining), "the remaining quota must be 0 or more");
        }
        Plan plan = quotaPlan(planName);
        return updateQuota(plan, keyName, QuotaUpdate.setUsed(plan.quota().limit() - remaining));
    }

    /** Adds {@code units} to what remains of the key's quota this period. */
    public QuotaStatus extendRemaining(String planName, String keyName, long units) {
        if (units < 1) {
            throw new AdminException(Kind.INVALID, "extendBy", String.valueOf(units), "the extension must be 1 or more units");
        }
        return updateQuota(quotaPlan(planName), keyName, QuotaUpdate.addUsed(-units));
    }

    /** Starts the key's quota over for the rest of this period: the full limit remains. */
    public QuotaStatus resetQuota(String planName, String keyName) {
        return updateQuota(quotaPlan(planName), keyName, QuotaUpdate.setUsed(0));
    }

    private QuotaStatus updateQuota(Plan plan, String keyName, QuotaUpdate update) {
        key(keyName);
        QuotaWindow window = engine.quotaWindow(plan.name());
        Instant now = engine.clock().instant();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long used = call(UsageStore.Capability.QUOTA_UPDATE,
                () -> store().updateQuota(UsageStore.stateKey(keyName, plan.name()), window, update, nowNanos));
        QuotaStatus status = status(plan, keyName, window, used);
        LOG.log(System.Logger.Level.INFO, "usage-plans: quota of key ''{0}'' on plan {1} changed: {2} of {3} remain until {4}",
                keyName, plan.name(), status.remaining(), status.limit(), status.periodEnd());
        return status;
    }

    /**
     * AWS's GetUsage for plan {@code planName} from {@code start} to {@code end} (UTC days, inclusive): every key
     * subscribed to the plan, or only {@code keyName} when it is not null, with one {@code [used, remaining]} per day.
     */
    public UsageReport usage(String planName, LocalDate start, LocalDate end, String keyName) {
        Plan plan = plan(planName);
        if (start == null) {
            throw new AdminException(Kind.INVALID, "startDate", null, "startDate is required (YYYY-MM-DD)");
        }
        if (end == null) {
            throw new AdminException(Kind.INVALID, "endDate", null, "endDate is required (YYYY-MM-DD)");
        }
        if (end.isBefore(start)) {
            throw new AdminException(Kind.INVALID, "endDate", end.toString(), "endDate is before startDate " + start);
        }
        if (end.toEpochDay() - start.toEpochDay() + 1 > MAX_REPORT_DAYS) {
            throw new AdminException(Kind.INVALID, "endDate", end.toString(), "a report covers at most " + MAX_REPORT_DAYS
                    + " days; this range has " + (end.toEpochDay() - start.toEpochDay() + 1));
        }
        List<String> keyNames = new ArrayList<>();
        if (keyName != null) {
            keyNames.add(key(keyName).name());
        } else {
            keys().stream().filter(k -> k.plans().contains(planName)).forEach(k -> keyNames.add(k.name()));
        }
        Map<String, List<UsageReport.Day>> items = new LinkedHashMap<>();
        for (String name : keyNames) {
            // a week or a month of history before the range tells what remained on its first days
            long from = start.toEpochDay() - (plan.quota() == null ? 0 : 31);
            List<DailyUsage> recorded = call(UsageStore.Capability.USAGE_HISTORY,
                    () -> store().dailyUsage(UsageStore.stateKey(name, planName), from, end.toEpochDay()));
            items.put(name, days(plan.quota(), recorded, start, end));
        }
        return new UsageReport(planName, start, end, items);
    }

    private static List<UsageReport.Day> days(Quota quota, List<DailyUsage> recorded, LocalDate start, LocalDate end) {
        List<UsageReport.Day> days = new ArrayList<>();
        int next = 0;
        DailyUsage last = null;
        for (long day = start.toEpochDay(); day <= end.toEpochDay(); day++) {
            while (next < recorded.size() && recorded.get(next).epochDay() <= day) {
                last = recorded.get(next++);
            }
            long used = last != null && last.epochDay() == day ? last.used() : 0;
            Long remaining = null;
            if (quota != null) {
                boolean samePeriod = last != null && periodStart(quota, last.epochDay()) == periodStart(quota, day);
                remaining = quota.limit() - (samePeriod ? last.quotaUsed() : 0);
            }
            days.add(new UsageReport.Day(used, remaining));
        }
        return days;
    }

    /** The start of the quota period that holds the end of UTC day {@code epochDay}. */
    private static long periodStart(Quota quota, long epochDay) {
        Instant lastMoment = LocalDate.ofEpochDay(epochDay + 1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
        return quota.windowAt(lastMoment).startMillis();
    }

    private QuotaStatus status(Plan plan, String keyName, QuotaWindow window, long used) {
        return new QuotaStatus(plan.name(), keyName, window.limit(), used, window.limit() - used, plan.quota().period(),
                Instant.ofEpochMilli(window.startMillis()), Instant.ofEpochMilli(window.endMillis()));
    }

    private Plan plan(String name) {
        return engine.planOnStage(name).orElseThrow(() -> new AdminException(Kind.NOT_FOUND, "usagePlanId", name,
                "no plan named '" + name + "' on stage '" + engine.stage() + "'; the plans are " + planNames()));
    }

    private Plan quotaPlan(String name) {
        Plan plan = plan(name);
        if (plan.quota() == null) {
            throw new AdminException(Kind.INVALID, "usagePlanId", name, "plan '" + name + "' has no quota");
        }
        return plan;
    }

    private List<String> planNames() {
        return plans().stream().map(Plan::name).toList();
    }

    private UsageStore store() {
        return engine.store();
    }

    /** Runs {@code operation} if the store declares {@code needed}; otherwise answers 501 Not Implemented. */
    private <T> T call(UsageStore.Capability needed, java.util.function.Supplier<T> operation) {
        UsageStore store = store();
        if (!store.can(needed)) {
            throw new AdminException(Kind.NOT_SUPPORTED, null, null, store.getClass().getName() + " does not declare "
                    + needed + " (UsageStore.capabilities())");
        }
        return operation.get();
    }

    private ApiKey update(String name, UnaryOperator<ApiKey> change) {
        try {
            return engine.keyDirectory().update(name, change);
        } catch (NoSuchElementException e) {
            throw new AdminException(Kind.NOT_FOUND, "keyId", name, "no key named '" + name + "'");
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, null, null, e.getMessage());
        }
    }

    private void add(List<ApiKey> keys) {
        try {
            engine.keyDirectory().add(keys);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, null, null, e.getMessage());
        }
    }

    private void checkPlans(List<String> plans, String field) {
        for (String plan : plans == null ? List.<String>of() : plans) {
            if (plan == null || engine.catalog().plan(plan).isEmpty()) {
                throw new AdminException(Kind.INVALID, field, plan, "unknown plan '" + plan + "'; the plans are " + planNames());
            }
        }
    }

    private static void checkName(String name) {
        String problem = problemWithName(name);
        if (problem != null) {
            throw new AdminException(Kind.INVALID, "name", name, problem);
        }
    }

    private static String problemWithName(String name) {
        if (name == null || name.isBlank()) {
            return "a key needs a name";
        }
        if (name.length() > 128) {
            return "a key name has at most 128 characters, this one " + name.length();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '|' || c == '/') {
                return "a key name must not contain control characters, '|' or '/'";
            }
        }
        return null;
    }

    private static AdminException importFailed(RowErrors errors) {
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
            kept.sort(java.util.Comparator.comparingInt(RowError::row));
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A new key value: {@value #GENERATED_LENGTH} characters from a {@link SecureRandom}. */
    public static String generateValue() {
        StringBuilder value = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            value.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return value.toString();
    }
}
