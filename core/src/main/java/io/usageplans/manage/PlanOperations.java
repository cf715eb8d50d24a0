package io.usageplans.manage;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.StringJoiner;

import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.MethodKey;
import io.usageplans.MethodSettings;
import io.usageplans.Plan;
import io.usageplans.Quota;
import io.usageplans.QuotaPeriod;
import io.usageplans.StageSettings;
import io.usageplans.StatusSet;
import io.usageplans.Throttle;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.manage.AdminException.Kind;

/**
 * A plan's life while the application runs (AWS's CreateUsagePlan, UpdateUsagePlan, DeleteUsagePlan): every change
 * goes through the engine's {@link io.usageplans.spi.PlanDirectory}, so a clustered store applies it on every member,
 * and is one audit line. An update's patch operations are all checked before anything changes, and applied at once.
 */
final class PlanOperations {

    /** The longest description a plan takes. */
    static final int MAX_DESCRIPTION = 1024;
    /** How many keys a refused delete names; the message counts the others. */
    static final int KEYS_NAMED = 5;

    private static final String PATHS = "/description, /throttle/rateLimit, /throttle/burstLimit, /throttle (remove), "
            + "/quota/limit, /quota/period, /quota/offset, /quota/timeZone, /quota (remove), /apiStages (add or remove, "
            + "value apiId:stage) and /apiStages/apiId:stage/throttle/resourcePath/METHOD/rateLimit or burstLimit "
            + "(add, replace, remove; '/' in the resource path written ~1)";

    private final AdminContext context;
    private final AuditLog audit;

    PlanOperations(AdminContext context, AuditLog audit) {
        this.context = context;
        this.audit = audit;
    }

    /** Every plan, on any stage, as the plan directory has them now. */
    List<Plan> plans() {
        return context.planDirectory().plans();
    }

    /** The plan {@code name}, on any stage; 404 naming {@code usagePlanId} if there is none. */
    Plan plan(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    private Optional<Plan> find(String name) {
        return plans().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    Plan create(Plan plan) {
        String problem = problemWithName(plan.name());
        if (problem != null) {
            throw new AdminException(Kind.INVALID, "name", plan.name(), problem);
        }
        if (plan.description().length() > MAX_DESCRIPTION) {
            throw new AdminException(Kind.INVALID, "description", plan.description(), "a description has at most "
                    + MAX_DESCRIPTION + " characters, this one " + plan.description().length());
        }
        if (find(plan.name()).isPresent()) {
            throw exists(plan.name());
        }
        try {
            context.planDirectory().create(plan);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
        } catch (IllegalArgumentException e) { // created by someone else since we looked
            throw exists(plan.name());
        }
        audit.change("created plan '" + plan.name() + "'", "none", describe(plan));
        return find(plan.name()).orElse(plan);
    }

    /**
     * Applies {@code patches} to plan {@code name}: each is checked first (a bad one is a 400 naming its path and value,
     * and nothing changes), then all are applied at once to the plan as it is then.
     */
    Plan update(String name, List<PlanPatch> patches) {
        if (patches == null || patches.isEmpty()) {
            throw new AdminException(Kind.INVALID, "patchOperations", null, "patchOperations needs at least one operation, "
                    + "e.g. {\"op\":\"replace\",\"path\":\"/quota/limit\",\"value\":\"20\"}");
        }
        Plan before = plan(name);
        String api = context.catalog().api();
        apply(before, patches, api); // every operation checked before anything changes
        Plan after;
        try {
            after = context.planDirectory().update(name, current -> apply(current, patches, api));
        } catch (NoSuchElementException e) {
            throw notFound(name);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.CONFLICT, e.entry(), null, "the changed plan '" + name + "' does not fit the "
                    + "keys, stages or annotated routes, so nothing changed: " + e.getMessage());
        }
        StringJoiner what = new StringJoiner(", ", "changed plan '" + name + "' (", ")");
        patches.forEach(p -> what.add(p.op() + " " + p.path() + (p.value() == null ? "" : " " + p.value())));
        audit.change(what.toString(), describe(before), describe(after));
        return after;
    }

    /** Deletes plan {@code name}; 409 while keys, a stage's keyless callers or annotated routes use it. */
    void delete(String name) {
        Plan before = plan(name);
        List<String> users = new ArrayList<>();
        for (ApiKey key : context.keyDirectory().keys()) {
            if (key.plans().contains(name)) {
                users.add(key.name());
            }
        }
        if (!users.isEmpty()) {
            users.sort(null);
            String named = String.join(", ", users.subList(0, Math.min(KEYS_NAMED, users.size())))
                    + (users.size() > KEYS_NAMED ? " and " + (users.size() - KEYS_NAMED) + " more" : "");
            throw new AdminException(Kind.CONFLICT, "usagePlanId", name, "plan '" + name + "' is used by " + users.size()
                    + (users.size() == 1 ? " key" : " keys") + " (" + named + "); move them to another plan or delete them first");
        }
        for (StageSettings stage : context.catalog().stages()) {
            for (Map.Entry<MethodKey, String> keyless : stage.keyless().entrySet()) {
                if (keyless.getValue().equals(name)) {
                    throw new AdminException(Kind.CONFLICT, "usagePlanId", name, "plan '" + name + "' meters callers without "
                            + "a key on stage '" + stage.stage() + "' (stages[" + stage.stage() + "].keyless[\"" + keyless.getKey()
                            + "\"] in the plan file); change that first");
                }
            }
        }
        try {
            context.planDirectory().remove(name);
        } catch (NoSuchElementException e) {
            throw notFound(name);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.CONFLICT, "usagePlanId", name, "plan '" + name + "' is still used"
                    + (e.source() == null ? "" : " by " + e.source()) + (e.entry() == null ? "" : " (" + e.entry() + ")")
                    + ", so it cannot be deleted while the application runs: " + e.problem());
        }
        audit.change("deleted plan '" + name + "'", describe(before), "none");
    }

    /** A plan as the audit log shows it: throttle, quota and stages with their method throttles. */
    static String describe(Plan plan) {
        StringBuilder out = new StringBuilder();
        out.append("throttle ").append(plan.throttle() == null ? "none" : throttle(plan.throttle()));
        Quota quota = plan.quota();
        out.append(", quota ").append(quota == null ? "none" : quota.limit() + " per " + quota.period()
                + (quota.offset() == 0 ? "" : " offset " + quota.offset()));
        out.append(", stages [");
        for (int i = 0; i < plan.apiStages().size(); i++) {
            ApiStage stage = plan.apiStages().get(i);
            out.append(i == 0 ? "" : ", ").append(stage.stage());
            stage.methodThrottles().forEach((key, t) -> out.append(' ').append(key).append(' ').append(throttle(t)));
        }
        return out.append(']').toString();
    }

    private static String throttle(Throttle t) {
        return number(t.rateLimit()) + "/s burst " + t.burstLimit();
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** What is wrong with {@code name} as a plan's name, or null if nothing is. */
    static String problemWithName(String name) {
        if (name == null || name.isBlank()) {
            return "a plan needs a name";
        }
        if (name.length() > 128) {
            return "a plan name has at most 128 characters, this one " + name.length();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '/' || c == '|' || c == ',' || c == ';' || c == '"' || c == '\\') {
                return "a plan name must not contain control characters or any of / | , ; \" \\";
            }
        }
        return null;
    }

    private static AdminException notFound(String name) {
        return new AdminException(Kind.NOT_FOUND, "usagePlanId", name, "no plan named '" + name + "'");
    }

    private static AdminException exists(String name) {
        return new AdminException(Kind.CONFLICT, "name", name, "a plan named '" + name + "' exists already");
    }

    /** {@code plan} with every operation applied, in order; an {@link AdminException} for the first bad one. */
    static Plan apply(Plan plan, List<PlanPatch> patches, String api) {
        Draft draft = new Draft(plan, api);
        for (int i = 0; i < patches.size(); i++) {
            draft.apply(i, patches.get(i));
        }
        return draft.build();
    }

    /** A plan being changed: its fields as separate values, so that one operation may set what another completes. */
    private static final class Draft {
        private final Plan plan;
        private final String api;
        private String description;
        private Double rate;
        private Integer burst;
        private Long limit;
        private QuotaPeriod period;
        private int offset;
        private ZoneId zone;
        private final Map<String, Map<MethodKey, MethodDraft>> stages = new LinkedHashMap<>();
        /** The operation that last set each field (-1: none), for the messages of problems found at the end. */
        private int rateOp = -1;
        private int burstOp = -1;
        private int quotaOp = -1;
        private int offsetOp = -1;
        private int periodOp = -1;
        private final List<PlanPatch> seen = new ArrayList<>();

        Draft(Plan plan, String api) {
            this.plan = plan;
            this.api = api;
            this.description = plan.description();
            if (plan.throttle() != null) {
                rate = plan.throttle().rateLimit();
                burst = plan.throttle().burstLimit();
            }
            if (plan.quota() != null) {
                limit = plan.quota().limit();
                period = plan.quota().period();
                offset = plan.quota().offset();
                zone = plan.quota().timeZone();
            }
            for (ApiStage stage : plan.apiStages()) {
                Map<MethodKey, MethodDraft> methods = new LinkedHashMap<>();
                stage.methods().forEach((key, settings) -> methods.put(key, new MethodDraft(settings)));
                stages.put(stage.stage(), methods);
            }
        }

        void apply(int i, PlanPatch p) {
            seen.add(p);
            String op = p.op();
            if (op == null || op.isEmpty()) {
                throw bad(i, p, "the operation needs an op: add, remove or replace");
            }
            if (!op.equals("add") && !op.equals("remove") && !op.equals("replace")) {
                throw bad(i, p, "the op '" + op + "' is not supported on a plan; the ops are add, remove and replace");
            }
            String path = p.path();
            if (path == null || path.isEmpty()) {
                throw bad(i, p, "the operation needs a path; the paths are " + PATHS);
            }
            switch (path) {
                case "/description" -> {
                    setting(i, p);
                    String text = p.value() == null ? "" : p.value();
                    if (text.length() > MAX_DESCRIPTION) {
                        throw bad(i, p, "a description has at most " + MAX_DESCRIPTION + " characters, this one " + text.length());
                    }
                    description = text;
                }
                case "/throttle/rateLimit" -> {
                    setting(i, p);
                    rate = rate(i, p);
                    rateOp = i;
                }
                case "/throttle/burstLimit" -> {
                    setting(i, p);
                    burst = (int) whole(i, p, 1, Integer.MAX_VALUE, "the burst limit");
                    burstOp = i;
                }
                case "/throttle" -> {
                    removal(i, p);
                    rate = null;
                    burst = null;
                    rateOp = burstOp = -1;
                }
                case "/quota/limit" -> {
                    setting(i, p);
                    limit = whole(i, p, 1, Long.MAX_VALUE, "the quota limit");
                    quotaOp = i;
                }
                case "/quota/period" -> {
                    setting(i, p);
                    period = period(i, p);
                    quotaOp = periodOp = i;
                }
                case "/quota/offset" -> {
                    setting(i, p);
                    offset = (int) whole(i, p, 0, QuotaPeriod.MONTH.maxOffset(), "the quota offset");
                    quotaOp = offsetOp = i;
                }
                case "/quota/timeZone" -> {
                    setting(i, p);
                    try {
                        zone = ZoneId.of(p.value() == null ? "" : p.value().trim());
                    } catch (DateTimeException e) {
                        throw bad(i, p, "the quota's time zone must be a zone ID such as UTC or Europe/Berlin, was '"
                                + p.value() + "'");
                    }
                    quotaOp = i;
                }
                case "/quota" -> {
                    removal(i, p);
                    if (!plan.alerts().quotaPercents().isEmpty()) {
                        throw bad(i, p, "plan '" + plan.name() + "' has quota alerts " + plan.alerts().quotaPercents()
                                + " (alerts.quota in the plan file), which need a quota");
                    }
                    limit = null;
                    period = null;
                    offset = 0;
                    zone = null;
                    quotaOp = offsetOp = periodOp = -1;
                }
                case "/apiStages" -> stage(i, p);
                default -> {
                    if (path.startsWith("/apiStages/")) {
                        methodThrottle(i, p, path.substring("/apiStages/".length()));
                    } else {
                        throw bad(i, p, "unknown path; the paths are " + PATHS);
                    }
                }
            }
        }

        /** {@code add} or {@code remove} of a stage, the value {@code apiId:stage}. */
        private void stage(int i, PlanPatch p) {
            if (p.op().equals("replace")) {
                throw bad(i, p, "/apiStages takes add or remove with the value apiId:stage (e.g. " + api + ":test)");
            }
            String stage = stageName(i, p, p.value());
            if (p.op().equals("add")) {
                if (stages.containsKey(stage)) {
                    throw bad(i, p, "plan '" + plan.name() + "' has stage " + api + ":" + stage + " already");
                }
                stages.put(stage, new LinkedHashMap<>());
            } else if (stages.remove(stage) == null) {
                throw bad(i, p, "plan '" + plan.name() + "' has no stage " + api + ":" + stage + "; its stages are " + stageList());
            }
        }

        /** {@code apiId:stage/throttle/resourcePath/METHOD[/rateLimit|/burstLimit]}. */
        private void methodThrottle(int i, PlanPatch p, String rest) {
            int slash = rest.indexOf('/');
            String stage = stageName(i, p, slash < 0 ? rest : rest.substring(0, slash));
            Map<MethodKey, MethodDraft> methods = stages.get(stage);
            if (methods == null) {
                throw bad(i, p, "plan '" + plan.name() + "' has no stage " + api + ":" + stage + "; its stages are " + stageList()
                        + " (add one with {\"op\":\"add\",\"path\":\"/apiStages\",\"value\":\"" + api + ":" + stage + "\"})");
            }
            String tail = slash < 0 ? "" : rest.substring(slash + 1);
            if (!tail.startsWith("throttle/")) {
                throw bad(i, p, "unknown path; under /apiStages/" + api + ":" + stage + " there is only "
                        + "throttle/resourcePath/METHOD/rateLimit or burstLimit");
            }
            tail = tail.substring("throttle/".length());
            String field = null;
            for (String name : new String[] {"rateLimit", "burstLimit"}) {
                if (tail.endsWith("/" + name)) {
                    field = name;
                    tail = tail.substring(0, tail.length() - name.length() - 1);
                }
            }
            int last = tail.lastIndexOf('/');
            if (last < 0) {
                throw bad(i, p, "a method throttle's path is /apiStages/" + api + ":" + stage
                        + "/throttle/resourcePath/METHOD/rateLimit (or burstLimit), with '/' in the resource path written ~1, "
                        + "e.g. /apiStages/" + api + ":" + stage + "/throttle/~1pets/GET/rateLimit");
            }
            String resource = tail.substring(0, last).replace("~1", "/").replace("~0", "~");
            MethodKey key;
            try {
                key = MethodKey.of(resource.isEmpty() ? "/" : resource, tail.substring(last + 1));
                if (!resource.equals("*") && !resource.startsWith("/")) {
                    throw new IllegalArgumentException("the resource path must start with / (written ~1), was '" + resource + "'");
                }
            } catch (IllegalArgumentException e) {
                throw bad(i, p, e.getMessage());
            }
            MethodDraft method = methods.get(key);
            if (p.op().equals("remove")) {
                if (method == null || (method.rate == null && method.burst == null)) {
                    throw bad(i, p, "stage " + api + ":" + stage + " of plan '" + plan.name() + "' has no throttle for "
                            + key + "; its method throttles are " + methods.keySet());
                }
                method.rate = null;
                method.burst = null;
                method.bucket = null;
                if (method.cost == 1) {
                    methods.remove(key);
                }
                return;
            }
            if (field == null) {
                throw bad(i, p, "add or replace a method throttle's rateLimit or burstLimit: end the path with /rateLimit "
                        + "or /burstLimit");
            }
            if (method == null) {
                method = new MethodDraft(null);
                methods.put(key, method);
            }
            method.op = i;
            if (field.equals("rateLimit")) {
                method.rate = rate(i, p);
            } else {
                method.burst = (int) whole(i, p, 1, Integer.MAX_VALUE, "the burst limit");
            }
        }

        private String stageName(int i, PlanPatch p, String apiStage) {
            String text = apiStage == null ? "" : apiStage.trim();
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw bad(i, p, "an API stage is written apiId:stage, e.g. " + api + ":test, was '" + text + "'");
            }
            String apiId = text.substring(0, colon);
            if (!apiId.equals(api)) {
                throw bad(i, p, "unknown API '" + apiId + "'; this application's API is '" + api + "' (the plan file's api)");
            }
            return text.substring(colon + 1);
        }

        private List<String> stageList() {
            return stages.keySet().stream().map(s -> api + ":" + s).toList();
        }

        private void setting(int i, PlanPatch p) {
            if (p.op().equals("remove")) {
                throw bad(i, p, "remove takes /throttle, /quota, /apiStages or a method throttle as a whole; "
                        + p.path() + " takes replace");
            }
            if (p.value() == null) {
                throw bad(i, p, p.path() + " needs a value");
            }
        }

        private void removal(int i, PlanPatch p) {
            if (!p.op().equals("remove")) {
                throw bad(i, p, p.path() + " takes remove; set its fields with replace " + p.path() + "/...");
            }
        }

        Plan build() {
            Throttle throttle = null;
            if (rate != null || burst != null) {
                if (rate == null || burst == null) {
                    int op = rate == null ? burstOp : rateOp;
                    throw bad(op, seen.get(op), "the plan has no throttle yet: set /throttle/rateLimit and "
                            + "/throttle/burstLimit in the same request");
                }
                throttle = new Throttle(rate, burst);
            }
            Quota quota = null;
            if (limit != null || period != null) {
                if (limit == null || period == null) {
                    throw bad(quotaOp, seen.get(quotaOp), "the plan has no quota yet: set /quota/limit and /quota/period "
                            + "in the same request");
                }
                if (offset > period.maxOffset()) {
                    int op = offsetOp >= 0 ? offsetOp : periodOp;
                    throw bad(op, seen.get(op), "the quota offset for period " + period + " must be "
                            + (period.maxOffset() == 0 ? "0" : "from 0 to " + period.maxOffset()) + ", is " + offset);
                }
                quota = new Quota(limit, period, offset, zone);
            }
            List<ApiStage> apiStages = new ArrayList<>();
            for (Map.Entry<String, Map<MethodKey, MethodDraft>> stage : stages.entrySet()) {
                Map<MethodKey, MethodSettings> methods = new LinkedHashMap<>();
                for (Map.Entry<MethodKey, MethodDraft> m : stage.getValue().entrySet()) {
                    MethodDraft method = m.getValue();
                    if ((method.rate == null) != (method.burst == null)) {
                        throw bad(method.op, seen.get(method.op), "method " + m.getKey() + " has no throttle yet: set its "
                                + "rateLimit and burstLimit in the same request");
                    }
                    Throttle t = method.rate == null ? null : new Throttle(method.rate, method.burst);
                    methods.put(m.getKey(), new MethodSettings(t, method.cost, method.bucket, method.countStatuses));
                }
                apiStages.add(new ApiStage(stage.getKey(), methods));
            }
            return new Plan(plan.name(), description, throttle, quota, apiStages, plan.failMode(), plan.enabled(),
                    throttle == null ? null : plan.throttleCountStatuses(), quota == null ? null : plan.quotaCountStatuses(),
                    plan.shadow(), plan.alerts());
        }

        private static double rate(int i, PlanPatch p) {
            String text = p.value() == null ? "" : p.value().trim();
            String range = "the rate limit must be a number of requests per second from 0.001 to 999999999999, was '"
                    + p.value() + "'";
            if (!text.matches("[0-9]{1,12}(\\.[0-9]{1,12})?|\\.[0-9]{1,12}")) {
                throw bad(i, p, range);
            }
            double value = Double.parseDouble(text);
            if (value < Throttle.MIN_RATE || value > Throttle.MAX_RATE) {
                throw bad(i, p, range);
            }
            return value;
        }

        private static long whole(int i, PlanPatch p, long min, long max, String what) {
            String text = p.value() == null ? "" : p.value().trim();
            String range = what + " must be a whole number from " + min + " to " + max + ", was '" + p.value() + "'";
            if (!text.matches("-?[0-9]{1,19}")) {
                throw bad(i, p, range);
            }
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw bad(i, p, range);
            }
            if (value < min || value > max) {
                throw bad(i, p, range);
            }
            return value;
        }

        private static QuotaPeriod period(int i, PlanPatch p) {
            String text = p.value() == null ? "" : p.value().trim().toUpperCase(Locale.ROOT);
            for (QuotaPeriod period : QuotaPeriod.values()) {
                if (period.name().equals(text)) {
                    return period;
                }
            }
            throw bad(i, p, "the quota period must be DAY, WEEK or MONTH, was '" + p.value() + "'");
        }

        /** A bad operation: 400 naming the operation's path (the field) and value, and the index, op and path in the detail. */
        private static AdminException bad(int i, PlanPatch p, String problem) {
            String at = "patchOperations[" + i + "] (" + p.op() + " " + p.path()
                    + (p.value() == null ? "" : ", value '" + p.value() + "'") + "): ";
            return new AdminException(Kind.INVALID, p.path() == null ? "patchOperations[" + i + "].path" : p.path(),
                    p.value(), at + problem);
        }
    }

    /** A method's settings being changed. */
    private static final class MethodDraft {
        Double rate;
        Integer burst;
        int cost;
        String bucket;
        StatusSet countStatuses;
        int op = -1;

        MethodDraft(MethodSettings settings) {
            if (settings == null) {
                cost = 1;
                return;
            }
            if (settings.throttle() != null) {
                rate = settings.throttle().rateLimit();
                burst = settings.throttle().burstLimit();
            }
            cost = settings.cost();
            bucket = settings.bucket();
            countStatuses = settings.countStatuses();
        }
    }
}
