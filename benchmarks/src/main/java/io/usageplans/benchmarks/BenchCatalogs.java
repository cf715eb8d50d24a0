package io.usageplans.benchmarks;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.usageplans.Quota;
import io.usageplans.Throttle;
import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;

/**
 * The catalogs every benchmark uses, built in code: one plan {@value #PLAN} on stage {@value #STAGE} whose
 * throttle never runs dry under a benchmark (10^9 requests per second, burst 10^9), so what is measured is the
 * allowed path; optionally a quota too large to be reached. Key {@code i} has the value {@link #keyValue(int)}
 * (31 printable ASCII characters), which the wrk script {@code keys.lua} computes the same way.
 *
 * <p>{@code Catalog.builder().build()} checks that key values are unique by comparing each key with every earlier
 * one, so building a catalog takes time quadratic in its keys (about a minute at 100,000 keys, hours at 1,000,000).
 * Above {@link #BUILDER_MAX_KEYS} keys (setting {@code -Dbench.builderMaxKeys}), this class builds the catalog with
 * the builder from the first key and then sets the full, already unique, key list on it by reflection. Set
 * {@code -Dbench.builderMaxKeys=2000000} to use the builder for every size once the check is linear.
 */
public final class BenchCatalogs {

    public static final String STAGE = "test";
    public static final String PLAN = "bench";
    /** The plan of the mix mode's second key: one request per second, so nearly all of its requests get 429. */
    public static final String SLOW_PLAN = "slow";
    public static final String SLOW_KEY = "bench-slow-key-0123456789";
    /** Requests per second and burst of {@link #PLAN}: more than any benchmark can use. */
    public static final int AMPLE = 1_000_000_000;
    /** A quota limit no benchmark reaches. */
    public static final long HUGE_QUOTA = 1_000_000_000_000_000L;
    /** The plan of the biting modes' keys: a throttle of burst {@link #BITE_BURST} that bites, and a daily quota that does not. */
    public static final String BITING_PLAN = "biting";
    /** The plan of every {@link #SPENT_EVERY}th key of the biting modes: the same throttle, and a daily quota of {@link #SPENT_QUOTA}, spent at start-up. */
    public static final String SPENT_PLAN = "biting-spent";
    /** Requests in a row for one key in the biting modes' wrk pattern ({@code keys.lua}, mode {@code groups}). */
    public static final int BITE_GROUP = 9;
    /** Burst of the biting plans' throttle: the last request of each group of {@link #BITE_GROUP} is refused. */
    public static final int BITE_BURST = BITE_GROUP - 1;
    /** Keys {@code i} with {@code i % SPENT_EVERY == 0} are on {@link #SPENT_PLAN}. */
    public static final int SPENT_EVERY = 10;
    /** Daily quota of {@link #SPENT_PLAN}, below the burst, so that spending it at start-up is not throttled. */
    public static final int SPENT_QUOTA = 5;
    /**
     * The share of requests the biting modes refuse: the spent keys' (1 in {@link #SPENT_EVERY}) all, by their quota,
     * and the last of each group of the other keys, by the throttle: 1/10 + 9/10 × 1/9 = 0.2.
     */
    public static final double BITE_SHARE = 1.0 / SPENT_EVERY + (1 - 1.0 / SPENT_EVERY) / BITE_GROUP;

    /** Catalogs with more keys than this are built with the reflective shortcut described above. */
    public static final int BUILDER_MAX_KEYS = Integer.getInteger("bench.builderMaxKeys", 20_000);

    private BenchCatalogs() {
    }

    /** Whether the plan has a quota, and how it is measured. */
    public enum QuotaMode {
        /** Throttle only. */
        NONE,
        /** Throttle and a daily quota of 10^18 requests: the quota path runs, but never rejects. */
        HUGE;

        public static QuotaMode of(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** The value of key {@code i}: {@code bench-key-0000000042-0123456789}. */
    public static String keyValue(int i) {
        StringBuilder b = new StringBuilder(31).append("bench-key-");
        String digits = Integer.toString(i);
        for (int pad = digits.length(); pad < 10; pad++) {
            b.append('0');
        }
        return b.append(digits).append("-0123456789").toString();
    }

    /** The values of keys 0 to {@code n - 1}. */
    public static String[] keyValues(int n) {
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = keyValue(i);
        }
        return values;
    }

    /** The benchmark plan: throttle {@link #AMPLE}/{@link #AMPLE}, and a huge daily quota or none. */
    public static Plan plan(QuotaMode quota) {
        Plan.Builder plan = Plan.builder(PLAN).throttle(Throttle.rateLimit(AMPLE).burstLimit(AMPLE)).stage(STAGE);
        if (quota == QuotaMode.HUGE) {
            plan.quota(Quota.limit(HUGE_QUOTA).period(QuotaPeriod.DAY));
        }
        return plan.build();
    }

    /** A catalog with keys 0 to {@code n - 1}, all on {@link #PLAN}. */
    public static Catalog catalog(int n, QuotaMode quota) {
        return catalog(n, plan(quota), false);
    }

    /**
     * A catalog with keys 0 to {@code n - 1} on {@code plan}, and, if {@code slowKey}, the key {@link #SLOW_KEY}
     * on {@link #SLOW_PLAN} (rate 1 per second, burst 1).
     */
    public static Catalog catalog(int n, Plan plan, boolean slowKey) {
        return catalog(n, plan, slowKey, BUILDER_MAX_KEYS);
    }

    /**
     * The biting modes' catalog: keys 0 to {@code n - 1}, every {@link #SPENT_EVERY}th on {@link #SPENT_PLAN} and the
     * others on {@link #BITING_PLAN}, both throttled at {@code ratePerSecond} per key with a burst of
     * {@link #BITE_BURST}. The rate is set from the load (see {@link #biteRate}): high enough that a key's bucket is
     * full again at each visit of the wrk pattern, low enough that nothing refills within one group of requests.
     */
    public static Catalog bitingCatalog(int n, double ratePerSecond) {
        if (n < SPENT_EVERY) {
            throw new IllegalArgumentException("the biting modes need at least " + SPENT_EVERY + " keys, was " + n);
        }
        Plan biting = Plan.builder(BITING_PLAN).throttle(Throttle.rateLimit(ratePerSecond).burstLimit(BITE_BURST)).quota(Quota.limit(HUGE_QUOTA).period(QuotaPeriod.DAY)).stage(STAGE).build();
        Plan spent = Plan.builder(SPENT_PLAN).throttle(Throttle.rateLimit(ratePerSecond).burstLimit(BITE_BURST)).quota(Quota.limit(SPENT_QUOTA).period(QuotaPeriod.DAY)).stage(STAGE).build();
        List<ApiKey> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(ApiKey.builder("k" + i).value(keyValue(i)).plans(i % SPENT_EVERY == 0 ? SPENT_PLAN : BITING_PLAN).build());
        }
        return build(Catalog.builder().api("benchmarks").plan(biting).plan(spent), keys, BUILDER_MAX_KEYS);
    }

    /**
     * The per-key throttle rate of the biting modes for a load of {@code requestsPerSecond} over {@code keys} keys:
     * twice the rate at which a key's visits ({@link #BITE_GROUP} requests each) would drain its burst, so that the
     * bucket is full at every visit even if the load doubles. Never below the plan minimum of 0.001 per second.
     */
    public static double biteRate(double requestsPerSecond, int keys) {
        return Math.max(0.001, 2.0 * BITE_BURST * requestsPerSecond / ((double) BITE_GROUP * keys));
    }

    static Catalog catalog(int n, Plan plan, boolean slowKey, int builderMaxKeys) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one key, was " + n);
        }
        List<ApiKey> keys = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            keys.add(ApiKey.builder("k" + i).value(keyValue(i)).plans(plan.name()).build());
        }
        Catalog.Builder builder = Catalog.builder().api("benchmarks").plan(plan);
        if (slowKey) {
            builder.plan(Plan.builder(SLOW_PLAN).throttle(Throttle.rateLimit(1).burstLimit(1)).stage(STAGE).build());
            keys.add(ApiKey.builder("slow").value(SLOW_KEY).plans(SLOW_PLAN).build());
        }
        return build(builder, keys, builderMaxKeys);
    }

    private static Catalog build(Catalog.Builder builder, List<ApiKey> keys, int builderMaxKeys) {
        if (keys.size() <= builderMaxKeys) {
            keys.forEach(builder::apiKey);
            return builder.build();
        }
        // validated through the builder with one key; every other key is unique by construction (see the class comment)
        Catalog catalog = builder.apiKey(keys.get(0)).build();
        try {
            Field apiKeys = Catalog.class.getDeclaredField("apiKeys");
            apiKeys.setAccessible(true);
            apiKeys.set(catalog, List.copyOf(keys));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("benchmarks: cannot set the keys of a large catalog (Catalog changed?); run with "
                    + "-Dbench.builderMaxKeys=" + keys.size() + " to use the builder, which is quadratic in keys", e);
        }
        if (catalog.apiKeys().size() != keys.size()) {
            throw new IllegalStateException("benchmarks: the large catalog has " + catalog.apiKeys().size() + " keys, not " + keys.size());
        }
        return catalog;
    }
}
