package io.usageplans.config;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.PlanDirectory;
import io.usageplans.spi.StoreContext;

/**
 * The plans every member of a clustered store shares: one document next to the shared keys, holding the plans as
 * {@link PlanText} writes them, a revision that every change raises, and the SHA-256 of the plans of the plan file it
 * was seeded from. It is the engine's {@link PlanDirectory} on such a store: every change is made with compare-and-set
 * on the document, after the catalog with it was validated as a whole with this member's keys and compiled with its
 * routes, and applied on this member at once; the store brings the document to every other member (its entry
 * listener or poll), which calls {@link #heard} and recompiles.
 *
 * <p>At start ({@link #start}): the first member seeds the document with its plan file's plans; a member whose plan
 * file has the plans the document was seeded from adopts the cluster's current plans, so changes made at run time
 * survive restarts; a member with other plans in its file (a new deployment) replaces the cluster's with them if they
 * fit the shared keys (one WARNING), and otherwise runs the cluster's (one ERROR naming file, entry and problem). A
 * document this member cannot read (bad, or written by a newer version) is logged and ignored: it keeps the plans it
 * has, and changes through it fail until the document is readable again.
 *
 * <p>A grid gives it the document as a {@link Document}: one value, read, put if absent, and compare-and-set.
 * Thread-safe; {@code lock} is the store catalog's own monitor, under which it also recompiles.
 */
public final class SharedPlans implements PlanDirectory {

    private static final System.Logger LOG = System.getLogger(SharedPlans.class.getName());
    private static final int ATTEMPTS = 100;

    /** Where a grid keeps the plans document: one text value, compared and set atomically. */
    public interface Document {

        /** The document, or null when there is none. */
        String get();

        /** Writes {@code text} unless there is a document; whether it wrote it. */
        boolean putIfAbsent(String text);

        /** Replaces the document with {@code text} if it still is {@code expected}; whether it did. */
        boolean replace(String expected, String text);
    }

    /**
     * One version of the document: {@code usage-plans-plans/1 <revision> <seed sha-256>} on its first line, then the
     * plans as {@link PlanText} writes them.
     */
    public record Version(long revision, String seedSha256, String plansJson) {

        /** The first word of a document this version reads; a newer format has another. */
        public static final String FORMAT = "usage-plans-plans/1";

        public String encode() {
            return FORMAT + " " + revision + " " + seedSha256 + "\n" + plansJson;
        }

        /** @throws IllegalArgumentException naming what it cannot read */
        public static Version decode(String text) {
            int end = text.indexOf('\n');
            String[] head = (end < 0 ? text : text.substring(0, end)).split(" ");
            if (head.length != 3 || !head[0].equals(FORMAT)) {
                throw new IllegalArgumentException("its first line is not '" + FORMAT + " <revision> <sha-256>' (a newer "
                        + "version's format?): '" + abbreviate(end < 0 ? text : text.substring(0, end)) + "'");
            }
            long revision;
            try {
                revision = Long.parseLong(head[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("its revision is not a number: '" + abbreviate(head[1]) + "'");
            }
            return new Version(revision, head[2], text.substring(end + 1));
        }
    }

    private final Document document;
    private final StoreContext engine;
    private final Object lock;
    private final String where;
    private final Catalog template;
    private final String planFileSource;
    private final List<Plan> planFilePlans;
    private final String planFileJson;
    private final String planFileSha256;

    /** The plans of the newest document heard, and its revision and text; what this member should run. */
    private volatile List<Plan> shared;
    private volatile long revision;
    private volatile String text;
    /** The plans this member runs: {@link #shared}, unless those do not compile here. */
    private volatile List<Plan> inForce;
    private String unreadable;
    private long unfit = -1;

    /**
     * {@code where} names the document in logs and problems ({@code Hazelcast map usage-plans-plans}); {@code lock} is
     * the monitor the store's catalog recompiles under. Reads the plan file's plans from the engine's catalog, so it is
     * made before anything replaced it.
     */
    public SharedPlans(Document document, StoreContext engine, Object lock, String where) {
        this.document = document;
        this.engine = engine;
        this.lock = lock;
        this.where = where;
        Catalog planFile = engine.catalog();
        this.template = planFile.withApiKeys(List.of());
        this.planFileSource = planFile.source() == null ? "(the plans built in code)" : planFile.source();
        this.planFilePlans = planFile.plans();
        this.planFileJson = PlanText.write(planFilePlans);
        this.planFileSha256 = PlanText.sha256(planFileJson);
        this.shared = planFilePlans;
        this.inForce = planFilePlans;
    }

    /**
     * Seeds or adopts the document, with {@code keys} the shared keys (see the class comment); afterwards
     * {@link #install} runs the plans chosen.
     */
    public void start(List<ApiKey> keys) {
        synchronized (lock) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                String stored = document.get();
                if (stored == null) {
                    Version first = new Version(1, planFileSha256, planFileJson);
                    if (document.putIfAbsent(first.encode())) {
                        heard(first, planFilePlans, first.encode());
                        return;
                    }
                    continue;
                }
                Version theirs;
                List<Plan> theirPlans;
                try {
                    theirs = Version.decode(stored);
                    theirPlans = PlanText.read(theirs.plansJson(), source(theirs.revision()));
                } catch (RuntimeException e) {
                    unreadable = stored;
                    LOG.log(System.Logger.Level.ERROR, "usage-plans: the shared plans in {0} cannot be read by this member "
                            + "({1}); it runs the plans of {2}, and plan changes on it fail until the shared plans can be "
                            + "read", where, e.getMessage(), planFileSource);
                    return;
                }
                if (theirs.seedSha256().equals(planFileSha256)) {
                    heard(theirs, theirPlans, stored); // the plan file the cluster was seeded from: its changes since stay
                    return;
                }
                try {
                    template.withPlans(planFilePlans).withApiKeys(keysFitting(theirPlans, keys));
                } catch (UsagePlansConfigException e) {
                    LOG.log(System.Logger.Level.ERROR, "usage-plans: plan file {0} differs from the one the cluster runs, but "
                            + "its plans cannot replace the cluster''s: {1}; this member runs the cluster''s plans (revision "
                            + "{2} in {3})", planFileSource, e.getMessage(), theirs.revision(), where);
                    heard(theirs, theirPlans, stored);
                    return;
                }
                Version ours = new Version(theirs.revision() + 1, planFileSha256, planFileJson);
                if (document.replace(stored, ours.encode())) {
                    LOG.log(System.Logger.Level.WARNING, "usage-plans: plan file {0} differs from the one the cluster runs; "
                            + "its plans replace the cluster''s (revision {1} in {2})", planFileSource, ours.revision(), where);
                    heard(ours, planFilePlans, ours.encode());
                    return;
                }
            }
            throw new IllegalStateException("usage-plans: the shared plans in " + where + " changed concurrently " + ATTEMPTS
                    + " times while this member started");
        }
    }

    /** The shared keys that work with {@code plans}: the others do not count against a new plan file. */
    private List<ApiKey> keysFitting(List<Plan> plans, List<ApiKey> keys) {
        try {
            return template.withPlans(plans).withApiKeysIgnoringInvalid(keys, (key, problem) -> { }).apiKeys();
        } catch (UsagePlansConfigException e) {
            return keys;
        }
    }

    /**
     * The store heard that the document changed (its listener): reads it again, so that events heard late or out of
     * order never bring back older plans; whether it holds other plans than this member's, which the store then
     * {@link #install}s.
     */
    public boolean changed() {
        return heard(document::get);
    }

    /**
     * What a store's listener does when it hears the document changed: reads it again ({@link #changed}) and, when it
     * holds other plans, runs {@code recompile} (which {@link #install}s them with the store's keys); a failure is logged,
     * never thrown into the grid's listener thread.
     */
    public void onDocumentChanged(Runnable recompile) {
        try {
            if (changed()) {
                recompile.run();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans: the shared plans could not be applied on this member", e);
        }
    }

    /**
     * As {@link #heard(String)}, with the document read by {@code read} while this member changes no plans: a read made
     * before one of its own writes and heard after it would otherwise bring the older plans back.
     */
    public boolean heard(java.util.function.Supplier<String> read) {
        synchronized (lock) {
            return heard(read.get());
        }
    }

    /**
     * The store read the document's current {@code text} (its poll): whether it holds other plans than this member's,
     * which the store then {@link #install}s. The grid's document wins, also one of a lower revision (a grid that lost
     * it and was seeded again). A document this member cannot read is logged once and ignored.
     */
    public boolean heard(String text) {
        if (text == null) {
            return false;
        }
        synchronized (lock) {
            if (text.equals(this.text)) {
                return false;
            }
            Version version;
            List<Plan> plans;
            try {
                version = Version.decode(text);
                plans = PlanText.read(version.plansJson(), source(version.revision()));
            } catch (RuntimeException e) {
                if (!text.equals(unreadable)) {
                    unreadable = text;
                    LOG.log(System.Logger.Level.ERROR, "usage-plans: the shared plans in {0} cannot be read by this member "
                            + "({1}); it keeps its current plans", where, e.getMessage());
                }
                return false;
            }
            heard(version, plans, text);
            return true;
        }
    }

    private void heard(Version version, List<Plan> plans, String encoded) {
        shared = plans;
        revision = version.revision();
        text = encoded;
        unreadable = null;
    }

    /**
     * Installs the shared plans with {@code keys} in the engine (a key that does not fit goes to {@code ignored}); when
     * those plans do not compile on this member (its annotated routes), it logs why, once per revision, and keeps the
     * plans it runs.
     */
    public void install(List<ApiKey> keys, BiConsumer<ApiKey, String> ignored) {
        synchronized (lock) {
            List<Plan> wanted = shared;
            if (wanted != inForce) {
                try {
                    engine.replaceCatalog(template.withPlans(wanted).withApiKeysIgnoringInvalid(keys, ignored));
                    inForce = wanted;
                    return;
                } catch (UsagePlansConfigException e) {
                    if (unfit != revision) {
                        unfit = revision;
                        LOG.log(System.Logger.Level.ERROR, "usage-plans: the shared plans of revision {0} in {1} do not fit "
                                + "this member: {2}; it keeps the plans it runs", revision, where, e.getMessage());
                    }
                }
            }
            engine.replaceCatalog(template.withPlans(inForce).withApiKeysIgnoringInvalid(keys, ignored));
        }
    }

    /** The document as this member last read or wrote it, or a first one of its plans: what a grid that lost it gets back. */
    public String document() {
        String current = text;
        return current != null ? current : new Version(Math.max(1, revision), planFileSha256, PlanText.write(inForce)).encode();
    }

    /** The revision of the shared plans this member heard last (0 before any). */
    public long revision() {
        return revision;
    }

    @Override
    public List<Plan> plans() {
        return engine.catalog().plans();
    }

    @Override
    public void create(Plan plan) {
        change(false, plans -> PlanDirectory.adding(plans, plan));
    }

    @Override
    public Plan update(String name, UnaryOperator<Plan> change) {
        List<Plan> written = change(false, plans -> PlanDirectory.changing(plans, name, change));
        return written.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Override
    public void remove(String name) {
        change(false, plans -> {
            List<Plan> all = PlanDirectory.removing(plans, name);
            List<String> users = engine.catalog().apiKeys().stream().filter(k -> k.plans().contains(name))
                    .map(ApiKey::name).toList();
            if (!users.isEmpty()) {
                throw new UsagePlansConfigException("plans[" + name + "]", "keys still use plan '" + name + "': "
                        + String.join(", ", users.subList(0, Math.min(10, users.size())))
                        + (users.size() > 10 ? " and " + (users.size() - 10) + " more" : "")
                        + "; move them to another plan or remove them first");
            }
            return all;
        });
    }

    /** All plans at once, as a reloaded plan file: the document is then seeded from them. */
    @Override
    public void replaceAll(List<Plan> plans) {
        List<Plan> copy = List.copyOf(plans);
        change(true, current -> copy);
    }

    /**
     * One change with compare-and-set on the document: read it, apply {@code change}, validate and compile the catalog
     * with the result on this member (installed, so nothing can fail after the write), write it if nobody wrote
     * meanwhile (else back to the plans this member ran, and again); returns the plans written.
     */
    private List<Plan> change(boolean reseed, UnaryOperator<List<Plan>> change) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String stored = document.get();
            Version current;
            List<Plan> base;
            if (stored == null) { // a grid that lost it (Redis restarted without persistence): this member's are the base
                current = null;
                base = inForce;
            } else {
                try {
                    current = Version.decode(stored);
                    base = PlanText.read(current.plansJson(), source(current.revision()));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("usage-plans: the shared plans in " + where + " cannot be read by this "
                            + "member (" + e.getMessage() + "); nothing was changed", e);
                }
            }
            String json = PlanText.write(change.apply(List.copyOf(base)));
            List<Plan> next = PlanText.read(json, "the changed plans.json"); // what every member will read
            Version written = new Version(current == null ? revision + 1 : current.revision() + 1,
                    reseed ? PlanText.sha256(json) : current == null ? planFileSha256 : current.seedSha256(), json);
            synchronized (lock) {
                Catalog changed = template.withPlans(next).withApiKeys(engine.catalog().apiKeys());
                engine.checkCatalog(changed); // fails, before anything is written, when invalid here
                boolean done = current == null ? document.putIfAbsent(written.encode()) : document.replace(stored, written.encode());
                if (done) {
                    heard(written, next, written.encode());
                    engine.replaceCatalog(changed);
                    inForce = next;
                    return next;
                }
            }
        }
        throw new IllegalStateException("usage-plans: the shared plans in " + where + " changed concurrently " + ATTEMPTS
                + " times; try again");
    }

    private String source(long revision) {
        return where + "/revision-" + revision + ".json";
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
