package io.usageplans.store.lease;

import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

import io.usageplans.UsagePlansConfigException;

/**
 * How a clustered store decides: {@code usageplans.cluster.mode} = {@code lease} (the default: members decide from
 * allowances and settle them every {@code usageplans.cluster.sync-interval} milliseconds, 100 by default) or
 * {@code exact} (one store operation per decision). Read like every other setting: init-param, context-param,
 * system property, environment variable ({@code USAGEPLANS_CLUSTER_MODE}, {@code USAGEPLANS_CLUSTER_SYNC_INTERVAL}).
 *
 * @param mode         lease or exact
 * @param syncInterval how often a member settles its allowances; an idle member holds none after one interval
 */
public record ClusterSettings(Mode mode, Duration syncInterval) {

    public static final String MODE = "usageplans.cluster.mode";
    public static final String SYNC_INTERVAL = "usageplans.cluster.sync-interval";
    public static final long DEFAULT_SYNC_INTERVAL_MILLIS = 100;
    /** Bounds of the sync interval: shorter costs a batch per few requests, longer holds allowances too long. */
    public static final long MIN_SYNC_INTERVAL_MILLIS = 10;
    public static final long MAX_SYNC_INTERVAL_MILLIS = 10_000;

    public enum Mode {
        /** Allowances decided in memory, settled in batches: nearly local speed, never over a limit. */
        LEASE,
        /** One store operation per decision. */
        EXACT
    }

    public ClusterSettings {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        long millis = syncInterval.toMillis();
        if (millis < MIN_SYNC_INTERVAL_MILLIS || millis > MAX_SYNC_INTERVAL_MILLIS) {
            throw new UsagePlansConfigException(SYNC_INTERVAL, "must be between " + MIN_SYNC_INTERVAL_MILLIS + " and "
                    + MAX_SYNC_INTERVAL_MILLIS + " milliseconds, was " + millis);
        }
    }

    /** Lease mode with the default sync interval. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(Mode.LEASE, Duration.ofMillis(DEFAULT_SYNC_INTERVAL_MILLIS));
    }

    /**
     * The settings {@code settings} finds; the defaults where it finds none.
     *
     * @throws UsagePlansConfigException naming the setting and its value when a value is not valid
     */
    public static ClusterSettings fromSettings(UnaryOperator<String> settings) {
        return fromSettings(settings, name -> name);
    }

    /**
     * As {@link #fromSettings(UnaryOperator)}, with {@code origins} naming where a setting's value came from (the
     * setting and its source, e.g. {@code MicroProfile Config usageplans.cluster.sync-interval from ...}) for the
     * message of a bad value.
     */
    public static ClusterSettings fromSettings(UnaryOperator<String> settings, UnaryOperator<String> origins) {
        String modeValue = trimmed(settings.apply(MODE));
        Mode mode = Mode.LEASE;
        if (modeValue != null) {
            switch (modeValue.toLowerCase(Locale.ROOT)) {
                case "lease" -> mode = Mode.LEASE;
                case "exact" -> mode = Mode.EXACT;
                default -> throw new UsagePlansConfigException(origins.apply(MODE), null, 0, "unknown cluster mode '" + modeValue
                        + "'; use lease (the default) or exact");
            }
        }
        String intervalValue = trimmed(settings.apply(SYNC_INTERVAL));
        long millis = DEFAULT_SYNC_INTERVAL_MILLIS;
        if (intervalValue != null) {
            try {
                millis = Long.parseLong(intervalValue);
            } catch (NumberFormatException e) {
                throw new UsagePlansConfigException(origins.apply(SYNC_INTERVAL), null, 0, "must be a whole number of milliseconds between "
                        + MIN_SYNC_INTERVAL_MILLIS + " and " + MAX_SYNC_INTERVAL_MILLIS + ", was '" + intervalValue + "'");
            }
        }
        if (millis < MIN_SYNC_INTERVAL_MILLIS || millis > MAX_SYNC_INTERVAL_MILLIS) {
            throw new UsagePlansConfigException(origins.apply(SYNC_INTERVAL), null, 0, "must be between "
                    + MIN_SYNC_INTERVAL_MILLIS + " and " + MAX_SYNC_INTERVAL_MILLIS + " milliseconds, was " + millis);
        }
        return new ClusterSettings(mode, Duration.ofMillis(millis));
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
