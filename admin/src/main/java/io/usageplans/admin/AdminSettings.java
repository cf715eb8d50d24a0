package io.usageplans.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import io.usageplans.config.Setting;
import io.usageplans.UsagePlansConfigException;
import jakarta.servlet.ServletContext;

/**
 * The admin's settings for one web application, read once from its context parameters (then system properties,
 * then environment variables) and shared by the API and the dashboard through a context attribute. Only the
 * SHA-256 of the admin token is kept.
 *
 * @param enabled      {@value #ENABLED}: false unless set to true
 * @param role         {@value #ROLE}: the Jakarta Security role that may call the API
 * @param tokenSha256  SHA-256 of {@value #TOKEN} (or {@value #TOKEN_SHA256} as given), null when none is set
 * @param maxBodyBytes {@value #MAX_BODY_BYTES}: the largest request body the API reads, default 1 MiB
 * @param problem      why the settings could not be read (the admin then stays off), else null
 */
public record AdminSettings(boolean enabled, String role, byte[] tokenSha256, long maxBodyBytes, String problem) {

    public static final String ENABLED = "usageplans.admin.enabled";
    public static final String TOKEN = "usageplans.admin.token";
    public static final String TOKEN_SHA256 = "usageplans.admin.token-sha256";
    public static final String ROLE = "usageplans.admin.role";
    public static final String DEFAULT_ROLE = "usage-plans-admin";
    public static final String MAX_BODY_BYTES = "usageplans.admin.max-body-bytes";
    /** 1 MiB: a JSON body is a few hundred bytes, a CSV import of over 10,000 keys fits. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;
    /** The most a body may be set to: it is held in memory as it is read, bytes and characters. */
    public static final long LARGEST_MAX_BODY_BYTES = 256L * 1_048_576;
    /** Shortest accepted admin token: it guards every key, so it must not be guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private static final String ATTRIBUTE = AdminSettings.class.getName();
    private static final System.Logger LOG = System.getLogger(AdminSettings.class.getName());

    /** The settings of {@code context}; the first call reads them and logs what protects the API. */
    public static AdminSettings of(ServletContext context) {
        if (context.getAttribute(ATTRIBUTE) instanceof AdminSettings known) {
            return known;
        }
        synchronized (AdminSettings.class) {
            if (context.getAttribute(ATTRIBUTE) instanceof AdminSettings known) {
                return known;
            }
            AdminSettings settings = read(context::getInitParameter);
            settings.log();
            context.setAttribute(ATTRIBUTE, settings);
            return settings;
        }
    }

    static AdminSettings read(java.util.function.UnaryOperator<String> parameters) {
        try {
            boolean enabled = Setting.find(ENABLED, parameters).map(Setting::switchValue).orElse(false);
            String role = Setting.find(ROLE, parameters).map(Setting::value).orElse(DEFAULT_ROLE);
            Optional<Setting> token = Setting.find(TOKEN, parameters);
            Optional<Setting> tokenSha256 = Setting.find(TOKEN_SHA256, parameters);
            if (token.isPresent() && tokenSha256.isPresent()) {
                throw new UsagePlansConfigException(TOKEN, "set by " + token.get().origin() + ", and " + TOKEN_SHA256
                        + " by " + tokenSha256.get().origin() + "; set only one of them");
            }
            byte[] hash = null;
            if (token.isPresent()) {
                if (token.get().value().length() < MIN_TOKEN_LENGTH) {
                    throw new UsagePlansConfigException(token.get().origin(), "the admin token has "
                            + token.get().value().length() + " characters; it needs at least " + MIN_TOKEN_LENGTH);
                }
                hash = sha256(token.get().value());
            } else if (tokenSha256.isPresent()) {
                String hex = tokenSha256.get().value();
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new UsagePlansConfigException(tokenSha256.get().origin(), "must be 64 hexadecimal digits "
                            + "(the SHA-256 of the token, e.g. from: printf %s \"$TOKEN\" | sha256sum)");
                }
                hash = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
            }
            return new AdminSettings(enabled, role, hash, maxBodyBytes(Setting.find(MAX_BODY_BYTES, parameters)), null);
        } catch (UsagePlansConfigException e) {
            return new AdminSettings(false, DEFAULT_ROLE, null, DEFAULT_MAX_BODY_BYTES, e.getMessage());
        }
    }

    private static long maxBodyBytes(Optional<Setting> setting) {
        if (setting.isEmpty()) {
            return DEFAULT_MAX_BODY_BYTES;
        }
        String value = setting.get().value();
        if (value.matches("[0-9]{1,10}")) {
            long bytes = Long.parseLong(value);
            if (bytes >= 1 && bytes <= LARGEST_MAX_BODY_BYTES) {
                return bytes;
            }
        }
        throw new UsagePlansConfigException(setting.get().origin(), "must be a whole number of bytes from 1 to "
                + LARGEST_MAX_BODY_BYTES + " (256 MiB), was '" + value + "'");
    }

    /** Whether {@code presented} is the admin token, compared in constant time. */
    public boolean tokenMatches(String presented) {
        return tokenSha256 != null && presented != null && MessageDigest.isEqual(tokenSha256, sha256(presented));
    }

    private void log() {
        if (problem != null) {
            LOG.log(System.Logger.Level.ERROR, "usage-plans admin: OFF, a setting is wrong: {0}", problem);
        } else if (!enabled) {
            LOG.log(System.Logger.Level.INFO, "usage-plans admin: off ({0} is not true); its API and dashboard answer 404",
                    ENABLED);
        } else if (tokenSha256 != null) {
            LOG.log(System.Logger.Level.INFO, "usage-plans admin: on; callers need the role ''{0}'' or the admin bearer token", role);
        } else {
            LOG.log(System.Logger.Level.WARNING, "usage-plans admin: on, but neither {0} nor {1} is set: callers need the role "
                    + "''{2}'' from the container''s security; without container security every call is refused (401)",
                    TOKEN, TOKEN_SHA256, role);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "AdminSettings[enabled=" + enabled + ", role=" + role + ", token=" + (tokenSha256 == null ? "none" : "set")
                + ", maxBodyBytes=" + maxBodyBytes + (problem == null ? "" : ", problem=" + problem) + "]";
    }
}
