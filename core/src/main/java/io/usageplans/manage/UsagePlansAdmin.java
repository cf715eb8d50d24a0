package io.usageplans.manage;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

import io.usageplans.ApiKey;
import io.usageplans.Plan;

/**
 * What an operator does with a running engine, as AWS offers it for usage plans: usage reports (GetUsage), keys
 * created with a generated value, imported from CSV, enabled, disabled, moved and rotated, and a key's remaining
 * quota extended or reset (UpdateUsage), and plans created, changed and deleted (CreateUsagePlan, UpdateUsagePlan,
 * DeleteUsagePlan). Key and plan changes go through the engine's {@link io.usageplans.spi.KeyDirectory} and
 * {@link io.usageplans.spi.PlanDirectory}, so with a clustered store they apply on every member at once. Every refusal
 * is an {@link AdminException} naming the field and value.
 *
 * <p>Get one from the engine with {@code usagePlans.admin()}. This class only hands each call to its part: key
 * operations, CSV import, quota operations, plan operations and usage reports, all built on the {@link AdminContext} the engine offers.
 */
public final class UsagePlansAdmin {

    /** The longest range of days one report covers. */
    public static final int MAX_REPORT_DAYS = UsageReports.MAX_DAYS;
    /** Length of generated key values: 40 characters from 62 letters and digits, about 238 bits. */
    public static final int GENERATED_LENGTH = KeyOperations.GENERATED_LENGTH;

    private final AdminContext context;
    private final StagePlans plans;
    private final KeyOperations keys;
    private final KeyImport keyImport;
    private final QuotaOperations quotas;
    private final UsageReports reports;
    private final PlanOperations planOperations;

    public UsagePlansAdmin(AdminContext context) {
        this(context, null);
    }

    private UsagePlansAdmin(AdminContext context, String actor) {
        this.context = Objects.requireNonNull(context, "context");
        this.plans = new StagePlans(context);
        this.keys = new KeyOperations(context, plans, new AuditLog(actor));
        this.keyImport = new KeyImport(context, plans, keys);
        this.quotas = new QuotaOperations(context, plans, keys);
        this.reports = new UsageReports(context, plans, keys);
        this.planOperations = new PlanOperations(context, keys.audit());
    }

    /**
     * The same admin, with every change logged as made by {@code actor} (e.g. {@code user 'alice'}); without it a
     * change is logged as made by "the application". Each change is one line under the logger
     * {@code io.usageplans.manage.UsagePlansAdmin}: who, what, before {@code ->} after, key values masked.
     */
    public UsagePlansAdmin actingAs(String actor) {
        return new UsagePlansAdmin(context, actor);
    }

    /** The stage the engine meters, e.g. {@code test}. */
    public String stage() {
        return context.stage();
    }

    /** The plans that apply to the engine's stage, in the plan file's order. */
    public List<Plan> plans() {
        return plans.all();
    }

    /** The plan {@code name} on any stage, as the plan directory has it now; 404 if there is none. */
    public Plan plan(String name) {
        return planOperations.plan(name);
    }

    /**
     * Creates a plan (AWS CreateUsagePlan), with effect for the next request; 409 if a plan of that name exists, 400
     * naming the field when the catalog with it would be invalid.
     */
    public Plan createPlan(Plan plan) {
        return planOperations.create(plan);
    }

    /**
     * Changes plan {@code name} with AWS's UpdateUsagePlan patch operations, all or none: {@code replace} of
     * {@code /description}, {@code /throttle/rateLimit}, {@code /throttle/burstLimit}, {@code /quota/limit},
     * {@code /quota/period} (DAY, WEEK, MONTH), {@code /quota/offset} and {@code /quota/timeZone}; {@code remove} of
     * {@code /throttle} and {@code /quota}; {@code add} and {@code remove} of {@code /apiStages} (value
     * {@code apiId:stage}); {@code add}, {@code replace} and {@code remove} of
     * {@code /apiStages/apiId:stage/throttle/resourcePath/METHOD/rateLimit} (and {@code burstLimit}), with {@code /} in the
     * resource path written {@code ~1} as AWS writes it. Every operation is checked before anything changes: a bad one
     * is a 400 naming its path and value. The throttle and quota state of the plan's keys is kept (see
     * {@link io.usageplans.spi.PlanDirectory}).
     */
    public Plan updatePlan(String name, List<PlanPatch> patches) {
        return planOperations.update(name, patches);
    }

    /** Deletes plan {@code name} (AWS DeleteUsagePlan); 409 while keys, keyless stage methods or annotated routes use it. */
    public void deletePlan(String name) {
        planOperations.delete(name);
    }

    /**
     * Logs one audit line, as made by this admin's actor, for a change made outside this class (a plan file reloaded on
     * request): {@code usage-plans: <who> <what>: <before> -> <after>}.
     */
    public void recordChange(String what, Object before, Object after) {
        keys.audit().change(what, before, after);
    }

    /** The keys, as this member sees them now (hashes only). */
    public List<ApiKey> keys() {
        return keys.keys();
    }

    public ApiKey key(String name) {
        return keys.key(name);
    }

    /** Creates a key with a generated value, shown once in the result. */
    public CreatedKey createKey(String name, String description, boolean enabled, List<String> plans) {
        return keys.create(name, description, enabled, plans);
    }

    /**
     * Imports keys from CSV in AWS's format: a header naming the columns {@code key} and {@code name} (required),
     * {@code description}, {@code enabled} and {@code usageplanIds} (plan names, separated by {@code ;} or {@code ,}
     * in a quoted field), in any order and case. Every row is checked first; if any is bad, nothing is imported and
     * the exception lists each bad row.
     */
    public List<ApiKey> importCsv(String csv) {
        return keyImport.importCsv(csv);
    }

    public ApiKey setEnabled(String name, boolean enabled) {
        return keys.setEnabled(name, enabled);
    }

    /** Moves the key to other plans (its usage on the old plan stays in the reports). */
    public ApiKey setPlans(String name, List<String> plans) {
        return keys.setPlans(name, plans);
    }

    public ApiKey setDescription(String name, String description) {
        return keys.setDescription(name, description);
    }

    /**
     * Gives the key a new generated value. The old value stays valid for {@code grace} (0: not at all), so clients
     * can switch without a failed request; a key's previous value from an earlier rotation is dropped.
     */
    public CreatedKey rotate(String name, Duration grace) {
        return keys.rotate(name, grace);
    }

    public void deleteKey(String name) {
        keys.delete(name);
    }

    /** The key's quota on the plan in the current period. */
    public QuotaStatus quota(String planName, String keyName) {
        return quotas.quota(planName, keyName);
    }

    /** Sets what remains of the key's quota this period (AWS UpdateUsage {@code replace /remaining}). */
    public QuotaStatus setRemaining(String planName, String keyName, long remaining) {
        return quotas.setRemaining(planName, keyName, remaining);
    }

    /** Adds {@code units} to what remains of the key's quota this period. */
    public QuotaStatus extendRemaining(String planName, String keyName, long units) {
        return quotas.extendRemaining(planName, keyName, units);
    }

    /** Starts the key's quota over for the rest of this period: the full limit remains. */
    public QuotaStatus resetQuota(String planName, String keyName) {
        return quotas.reset(planName, keyName);
    }

    /**
     * AWS's GetUsage for plan {@code planName} from {@code start} to {@code end} (UTC days, inclusive): every key
     * subscribed to the plan, or only {@code keyName} when it is not null, with one {@code [used, remaining]} per day.
     */
    public UsageReport usage(String planName, LocalDate start, LocalDate end, String keyName) {
        return reports.usage(planName, start, end, keyName);
    }

    /**
     * {@link #usage}'s keys and days in its order, each key read from the store only when the iteration reaches it, so
     * that a report of many keys and days can be written out without holding it whole. The plan, the dates, the key and
     * the store's usage history are checked by this call, before anything is read.
     *
     * @throws AdminException 404 for an unknown plan or key, 400 for missing, reversed or too many days, 501 when the
     *                        store keeps no usage history
     */
    public Iterable<UsageReport.KeyDays> usageItems(String planName, LocalDate start, LocalDate end, String keyName) {
        return reports.usageItems(planName, start, end, keyName);
    }

    /**
     * The same days as {@link #usage} for every key of the plan, in key-name order, each key read from the store only
     * when the iteration reaches it: for exports of many keys and days, which need not fit in memory at once. The
     * plan, the dates and the store's usage history are checked by this call, before anything is read.
     *
     * @throws AdminException 404 for an unknown plan, 400 for missing, reversed or too many days, 501 when the store
     *                        keeps no usage history
     */
    public Iterable<UsageReport.KeyDays> usageByKey(String planName, LocalDate start, LocalDate end) {
        return reports.usageByKey(planName, start, end);
    }

    /** A new key value: {@value #GENERATED_LENGTH} characters from a {@link java.security.SecureRandom}. */
    public static String generateValue() {
        return KeyOperations.generateValue();
    }
}
