package io.usageplans.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.ResponseSettings;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.KeyDirectory;
import io.usageplans.spi.PlanDirectory;

/**
 * Reloads a running engine's plan file: on an admin call ({@link #reload()}), and, with the setting {@value #RELOAD},
 * whenever the file on disk changes (polled by content digest on one daemon thread, stopped when the engine closes).
 *
 * <p>A reload reads and validates the whole file first, then applies what changed in it since it was last read: plans
 * and keys added to the file are added, those removed from it removed, those changed in it updated, through the engine's
 * {@link PlanDirectory} and {@link KeyDirectory} (so a clustered store shares the change). Plans and keys created or
 * changed through the admin API are left as they are unless the file changed them too. The result is checked on a
 * scratch catalog before anything changes, and applied in an order that keeps every step valid (keys removed, plans
 * added and changed, keys changed and added, plans removed); should a step still be refused (an annotated route that
 * needs a removed plan), what was done is undone. A bad file changes nothing: the old plans and keys stay, and the
 * error names the file, line, entry and value. The file's other sections (api, stages, excludePaths, responses, skip,
 * only) are read once at start-up; a change to them is reported as needing a restart.
 *
 * <p>Attached to an engine by {@link EngineBootstrap} when the engine's plans came from a plan file, and closed with it
 * ({@link UsagePlans#closeWith}: not a listener, so it costs a request nothing); find it with {@link #of(UsagePlans)}.
 */
public final class PlanFileReloader implements AutoCloseable {

    /**
     * The setting that watches the plan file: {@code false} (the default), {@code true} (every
     * {@value #DEFAULT_INTERVAL_MILLIS} ms) or a number of milliseconds between checks. Only a file on disk is watched.
     */
    public static final String RELOAD = "usageplans.reload";
    /** How often the file is checked with {@code usageplans.reload=true}, in milliseconds. */
    public static final long DEFAULT_INTERVAL_MILLIS = 1000;
    /** The shortest interval {@value #RELOAD} takes, in milliseconds. */
    public static final long MIN_INTERVAL_MILLIS = 10;
    /** The longest interval {@value #RELOAD} takes, in milliseconds: a day. */
    public static final long MAX_INTERVAL_MILLIS = 86_400_000;

    private static final System.Logger LOG = System.getLogger(PlanFileReloader.class.getName());
    private static final Map<UsagePlans, PlanFileReloader> ATTACHED = Collections.synchronizedMap(new WeakHashMap<>());

    private final UsagePlans engine;
    private final PlanFileLocator.Located file;
    /** The file's catalog as last applied: what the next reload compares with. */
    private Catalog applied;
    /** The digest of the text last read (applied, or reported as bad), so that each version is handled once. */
    private byte[] lastDigest;
    /** The digest of the text the watcher read last, handled or not. */
    private byte[] seenDigest;
    private ScheduledExecutorService watcher;

    private PlanFileReloader(UsagePlans engine, PlanFileLocator.Located file, Catalog applied) {
        this.engine = engine;
        this.file = file;
        this.applied = applied;
    }

    /** What one reload changed, by name, and the sections it did not apply (they need a restart). */
    public record Result(String source, List<String> plansAdded, List<String> plansChanged, List<String> plansRemoved,
                         List<String> keysAdded, List<String> keysChanged, List<String> keysRemoved,
                         List<String> needRestart) {

        /** Whether the reload changed any plan or key. */
        public boolean changedAnything() {
            return !(plansAdded.isEmpty() && plansChanged.isEmpty() && plansRemoved.isEmpty() && keysAdded.isEmpty()
                    && keysChanged.isEmpty() && keysRemoved.isEmpty());
        }

        @Override
        public String toString() {
            return "plans " + plansAdded.size() + " added, " + plansChanged.size() + " changed, " + plansRemoved.size()
                    + " removed; keys " + keysAdded.size() + " added, " + keysChanged.size() + " changed, " + keysRemoved.size()
                    + " removed" + (needRestart.isEmpty() ? "" : "; not applied until a restart: " + needRestart);
        }
    }

    /** The reloader of {@code engine}, if its plans came from a plan file that {@link EngineBootstrap} read. */
    public static Optional<PlanFileReloader> of(UsagePlans engine) {
        return Optional.ofNullable(ATTACHED.get(engine));
    }

    /**
     * The interval of the setting {@value #RELOAD} in milliseconds, 0 when the file is not watched.
     *
     * @throws UsagePlansConfigException naming where the setting came from when it is not true, false or a number of
     *                                   milliseconds from {@value #MIN_INTERVAL_MILLIS} to {@value #MAX_INTERVAL_MILLIS}
     */
    static long interval(Settings settings) {
        Optional<Setting> setting = settings.find(RELOAD);
        if (setting.isEmpty()) {
            return 0;
        }
        String value = setting.get().value();
        if (value.equalsIgnoreCase("false")) {
            return 0;
        }
        if (value.equalsIgnoreCase("true")) {
            return DEFAULT_INTERVAL_MILLIS;
        }
        if (value.matches("[0-9]{1,12}")) {
            long millis = Long.parseLong(value);
            if (millis >= MIN_INTERVAL_MILLIS && millis <= MAX_INTERVAL_MILLIS) {
                return millis;
            }
        }
        throw new UsagePlansConfigException(setting.get().origin(), null, 0, "must be false, true (check the plan file every "
                + DEFAULT_INTERVAL_MILLIS + " ms) or a number of milliseconds from " + MIN_INTERVAL_MILLIS + " to "
                + MAX_INTERVAL_MILLIS + ", was '" + value + "'");
    }

    /**
     * Attaches a reloader to {@code engine}, whose catalog {@code started} was read from {@code file}, and starts
     * watching the file every {@code intervalMillis} (0: not at all) when it is on disk.
     */
    static PlanFileReloader attach(UsagePlans engine, PlanFileLocator.Located file, Catalog started, long intervalMillis) {
        PlanFileReloader reloader = new PlanFileReloader(engine, file, started);
        ATTACHED.put(engine, reloader);
        engine.closeWith(reloader);
        if (intervalMillis > 0) {
            if (file.file() == null) {
                LOG.log(System.Logger.Level.WARNING, "usage-plans: " + RELOAD + " is set, but the plan file " + file.source()
                        + " is a class path resource, which cannot be watched; name a file path with " + PlanFileLocator.CONFIG
                        + " to reload it on a change (the admin API's POST reload re-reads the resource)");
            } else {
                reloader.watch(intervalMillis);
            }
        }
        return reloader;
    }

    /** Where the plan file is: a path, or {@code classpath:...}. */
    public String source() {
        return file.source();
    }

    /** Whether the file is watched for changes. */
    public synchronized boolean watching() {
        return watcher != null;
    }

    /**
     * Reads the plan file now and applies what changed in it, all or nothing.
     *
     * @throws UsagePlansConfigException for a file that cannot be read or applied, naming file, line, entry and value;
     *                                   the old plans and keys stay
     * @throws IllegalStateException     when a good file could not be applied now (a clustered store's grid away); the
     *                                   old plans and keys stay, and the watcher tries the same version again
     */
    public synchronized Result reload() {
        try {
            String text = file.text();
            lastDigest = seenDigest = digest(text);
            Result result = apply(PlanFile.parse(text, file.source(), file.limits()));
            LOG.log(System.Logger.Level.INFO, "usage-plans: reloaded the plan file " + file.source() + ": " + result);
            return result;
        } catch (UsagePlansConfigException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: the plan file cannot be applied, so the old plans and keys "
                    + "stay: " + e.getMessage());
            throw e;
        }
    }

    /**
     * One check of the watcher. A version of the file is handled once it read the same on two checks in a row (so a file
     * being written is not taken half-written): applied, or, when bad, reported once.
     */
    synchronized void check() {
        String text;
        UsagePlansConfigException unreadable = null;
        try {
            text = file.text();
        } catch (UsagePlansConfigException e) {
            text = "\u0000unreadable: " + e.getMessage();
            unreadable = e;
        }
        byte[] digest = digest(text);
        if (Arrays.equals(digest, lastDigest)) {
            seenDigest = digest;
            return;
        }
        if (!Arrays.equals(digest, seenDigest)) {
            seenDigest = digest; // changed since the last check: wait until it stays so
            return;
        }
        try {
            if (unreadable != null) {
                throw unreadable;
            }
            Result result = apply(PlanFile.parse(text, file.source(), file.limits()));
            lastDigest = digest;
            LOG.log(System.Logger.Level.INFO, "usage-plans: reloaded the plan file " + file.source() + ": " + result);
        } catch (UsagePlansConfigException e) {
            lastDigest = digest; // a bad version is reported once; another failure (a cluster away) is tried again
            LOG.log(System.Logger.Level.ERROR, "usage-plans: the plan file changed but cannot be applied, so the old plans "
                    + "and keys stay: " + e.getMessage());
        }
    }

    private synchronized void watch(long intervalMillis) {
        lastDigest = digestOrNull();
        seenDigest = lastDigest;
        watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "usage-plans-reload " + file.source());
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) { // never let the watcher die of one bad check; the next check tries again
                LOG.log(System.Logger.Level.ERROR, "usage-plans: checking the plan file " + file.source() + " failed: {0}",
                        e.getMessage());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "usage-plans: watching the plan file " + file.source() + " every "
                + intervalMillis + " ms (" + RELOAD + ")");
    }

    private byte[] digestOrNull() {
        try {
            return digest(file.text());
        } catch (UsagePlansConfigException e) {
            return null;
        }
    }

    /** Stops watching the file and detaches from the engine; the engine calls it when it closes. */
    @Override
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            stopping = watcher;
            watcher = null;
        }
        if (stopping != null) {
            stopping.shutdownNow();
        }
        ATTACHED.remove(engine);
    }

    private Result apply(Catalog next) {
        Catalog previous = applied;
        String source = file.source();
        List<String> needRestart = changedSections(previous, next);
        PlanDirectory planDirectory = engine.planDirectory();
        KeyDirectory keyDirectory = engine.keyDirectory();

        // plans: what changed in the file, on top of the plans as they are now
        Map<String, Plan> before = byPlanName(previous.plans());
        Map<String, Plan> after = byPlanName(next.plans());
        List<Plan> plansNow = planDirectory.plans();
        Map<String, Plan> target = byPlanName(plansNow);
        List<String> plansAdded = new ArrayList<>();
        List<String> plansChanged = new ArrayList<>();
        List<String> plansRemoved = new ArrayList<>();
        for (Plan plan : next.plans()) {
            Plan was = before.get(plan.name());
            if (was != null && was.equals(plan)) {
                continue; // not changed in the file: as it is now, changed through the admin API or not
            }
            Plan now = target.put(plan.name(), plan);
            if (now == null) {
                plansAdded.add(plan.name());
            } else if (!now.equals(plan)) {
                plansChanged.add(plan.name());
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name) && target.remove(name) != null) {
                plansRemoved.add(name);
            }
        }

        // keys: likewise
        Map<String, ApiKey> keysBefore = byKeyName(previous.apiKeys());
        List<ApiKey> keysNow = keyDirectory.keys();
        Map<String, ApiKey> current = byKeyName(keysNow);
        List<ApiKey> toAdd = new ArrayList<>();
        List<ApiKey> toUpdate = new ArrayList<>();
        List<String> toRemove = new ArrayList<>();
        Map<String, ApiKey> nextKeys = byKeyName(next.apiKeys());
        for (ApiKey key : next.apiKeys()) {
            ApiKey was = keysBefore.get(key.name());
            ApiKey now = current.get(key.name());
            if (now == null && (was == null || !was.equals(key))) {
                toAdd.add(key);
            } else if (now != null && (was == null || !was.equals(key)) && !now.equals(key)) {
                toUpdate.add(key);
            }
        }
        for (String name : keysBefore.keySet()) {
            if (!nextKeys.containsKey(name) && current.containsKey(name)) {
                toRemove.add(name);
            }
        }
        List<ApiKey> finalKeys = new ArrayList<>(keysNow.size() + toAdd.size());
        Map<String, ApiKey> updates = byKeyName(toUpdate);
        Set<String> removing = new HashSet<>(toRemove);
        for (ApiKey key : keysNow) {
            if (!removing.contains(key.name())) {
                finalKeys.add(updates.getOrDefault(key.name(), key));
            }
        }
        finalKeys.addAll(toAdd);
        List<Plan> targetPlans = new ArrayList<>(target.values());

        // the whole result, checked before anything changes
        try {
            engine.catalog().withApiKeys(List.of()).withPlans(targetPlans).withApiKeys(finalKeys);
        } catch (UsagePlansConfigException e) {
            throw placed(next, e, "the reloaded plans and keys do not fit together with the keys and plans added at run "
                    + "time, so nothing changed: ");
        }

        boolean anything = !(plansAdded.isEmpty() && plansChanged.isEmpty() && plansRemoved.isEmpty() && toAdd.isEmpty()
                && toUpdate.isEmpty() && toRemove.isEmpty());
        if (anything) {
            change(planDirectory, keyDirectory, plansNow, current, target, targetPlans, toRemove, toUpdate, toAdd, next);
        }
        applied = next;
        for (String section : needRestart) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: " + source + ": section '" + section + "' changed; a reload "
                    + "applies plans and keys only, so it takes effect at the next restart");
        }
        return new Result(source, plansAdded, plansChanged, plansRemoved, toAdd.stream().map(ApiKey::name).toList(),
                toUpdate.stream().map(ApiKey::name).toList(), List.copyOf(toRemove), needRestart);
    }

    /**
     * Applies a checked change step by step, each step valid on its own and each a batch (the engine's own key directory
     * compiles its catalog once per batch, not once per key); undoes what was done when one is refused.
     */
    private void change(PlanDirectory planDirectory, KeyDirectory keyDirectory, List<Plan> plansNow, Map<String, ApiKey> keysNow,
                        Map<String, Plan> target, List<Plan> targetPlans, List<String> toRemove, List<ApiKey> toUpdate,
                        List<ApiKey> toAdd, Catalog next) {
        try {
            keyDirectory.removeAll(toRemove);
            // plans added and changed, those the file removed still there for the keys that have not moved yet
            Map<String, Plan> widened = new LinkedHashMap<>(byPlanName(plansNow));
            widened.putAll(target);
            planDirectory.replaceAll(new ArrayList<>(widened.values()));
            if (!toUpdate.isEmpty()) {
                keyDirectory.replaceAll(toUpdate);
            }
            if (!toAdd.isEmpty()) {
                keyDirectory.add(toAdd);
            }
            planDirectory.replaceAll(targetPlans);
        } catch (RuntimeException e) {
            undo(planDirectory, keyDirectory, plansNow, keysNow, toRemove, toUpdate, toAdd);
            if (e instanceof UsagePlansConfigException config) {
                throw placed(next, config, "the reloaded plan file could not be applied, so the old plans and keys stay: ");
            }
            // not the file's fault (a cluster away, a race lost too often): the same version is tried again
            throw new IllegalStateException("the reloaded plan file " + file.source() + " could not be applied now, so the "
                    + "old plans and keys stay: " + e.getMessage(), e);
        }
    }

    /**
     * Puts back the keys and plans of before a refused change, from what the directory holds now rather than from what
     * the change believes it did: a clustered directory may have applied part of a batch before it failed.
     */
    private void undo(PlanDirectory planDirectory, KeyDirectory keyDirectory, List<Plan> plansNow, Map<String, ApiKey> keysNow,
                      List<String> toRemove, List<ApiKey> toUpdate, List<ApiKey> toAdd) {
        try {
            Map<String, ApiKey> present = byKeyName(keyDirectory.keys());
            List<String> added = new ArrayList<>();
            for (ApiKey key : toAdd) {
                if (key.equals(present.get(key.name()))) {
                    added.add(key.name());
                }
            }
            keyDirectory.removeAll(added);
            List<ApiKey> before = new ArrayList<>();
            for (ApiKey key : toUpdate) {
                ApiKey old = keysNow.get(key.name());
                if (present.containsKey(key.name()) && !old.equals(present.get(key.name()))) {
                    before.add(old);
                }
            }
            if (!before.isEmpty()) {
                keyDirectory.replaceAll(before);
            }
            planDirectory.replaceAll(plansNow);
            List<ApiKey> back = new ArrayList<>();
            for (String name : toRemove) {
                if (!present.containsKey(name)) {
                    back.add(keysNow.get(name));
                }
            }
            if (!back.isEmpty()) {
                keyDirectory.add(back);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: undoing a refused reload of " + file.source() + " failed; "
                    + "check the plans and keys with the admin API", e);
        }
    }

    /** A problem of the reload, placed in the file at the entry's line when the file has it. */
    private UsagePlansConfigException placed(Catalog next, UsagePlansConfigException e, String why) {
        String entry = e.entry();
        int line = e.line() > 0 ? e.line() : entry == null ? 0 : next.lineOf(entry);
        return new UsagePlansConfigException(e.source() != null ? e.source() : file.source(), entry, line, why + e.problem());
    }

    /** The sections a reload does not apply, by name, that differ between the two versions of the file. */
    static List<String> changedSections(Catalog previous, Catalog next) {
        List<String> changed = new ArrayList<>();
        if (!previous.api().equals(next.api())) {
            changed.add("api");
        }
        if (!previous.stages().equals(next.stages())) {
            changed.add("stages");
        }
        if (!previous.excludePaths().equals(next.excludePaths())) {
            changed.add("excludePaths");
        }
        if (!sameResponses(previous.responses(), next.responses())) {
            changed.add("responses");
        }
        if (!previous.skip().equals(next.skip())) {
            changed.add("skip");
        }
        if (!previous.only().equals(next.only())) {
            changed.add("only");
        }
        return changed;
    }

    private static boolean sameResponses(ResponseSettings a, ResponseSettings b) {
        if (a.rateLimitHeaders() != b.rateLimitHeaders() || a.bucketShape() != b.bucketShape()) {
            return false;
        }
        for (Decision.Outcome outcome : Decision.Outcome.values()) {
            if (!Objects.equals(rejection(a, outcome), rejection(b, outcome))) {
                return false;
            }
        }
        return true;
    }

    private static Object rejection(ResponseSettings settings, Decision.Outcome outcome) {
        try {
            return settings.rejection(outcome);
        } catch (RuntimeException e) { // an outcome that has no rejection
            return null;
        }
    }

    private static Map<String, Plan> byPlanName(List<Plan> plans) {
        Map<String, Plan> byName = new LinkedHashMap<>();
        plans.forEach(p -> byName.put(p.name(), p));
        return byName;
    }

    private static Map<String, ApiKey> byKeyName(List<ApiKey> keys) {
        Map<String, ApiKey> byName = new LinkedHashMap<>(keys.size() * 2);
        keys.forEach(k -> byName.put(k.name(), k));
        return byName;
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
