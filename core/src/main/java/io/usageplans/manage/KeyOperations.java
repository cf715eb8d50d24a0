package io.usageplans.manage;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.usageplans.ApiKey;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.manage.AdminException.Kind;

/**
 * A key's life: created with a generated value, enabled, disabled, moved to other plans, rotated and deleted. Every
 * change goes through the engine's {@link io.usageplans.spi.KeyDirectory}, so a clustered store applies it on every
 * member at once.
 */
final class KeyOperations {

    /** Length of generated key values: 40 characters from 62 letters and digits, about 238 bits. */
    static final int GENERATED_LENGTH = 40;

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AdminContext context;
    private final StagePlans plans;
    private final AuditLog audit;

    KeyOperations(AdminContext context, StagePlans plans, AuditLog audit) {
        this.context = context;
        this.plans = plans;
        this.audit = audit;
    }

    /** The keys, as this member sees them now (hashes only). */
    List<ApiKey> keys() {
        return context.keyDirectory().keys();
    }

    /** The key {@code name}; 404 naming {@code keyId} if there is none. */
    ApiKey key(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    private Optional<ApiKey> find(String name) {
        return keys().stream().filter(k -> k.name().equals(name)).findFirst();
    }

    CreatedKey create(String name, String description, boolean enabled, List<String> planNames) {
        checkName(name);
        String value = generateValue();
        ApiKey key = ApiKey.builder(name).description(description).enabled(enabled)
                .plans(planNames == null ? List.of() : planNames).value(value).build();
        if (find(name).isPresent()) {
            throw new AdminException(Kind.CONFLICT, "name", name, "a key named '" + name + "' exists already");
        }
        plans.check(planNames, "plans");
        add(List.of(key));
        audit.change("created key '" + name + "'", "none", state(key));
        return new CreatedKey(key, value);
    }

    ApiKey setEnabled(String name, boolean enabled) {
        ApiKey before = key(name);
        ApiKey key = update(name, k -> k.withEnabled(enabled));
        audit.change((enabled ? "enabled" : "disabled") + " key '" + name + "'", "enabled " + before.enabled(),
                "enabled " + key.enabled());
        return key;
    }

    ApiKey setPlans(String name, List<String> planNames) {
        plans.check(planNames, "plans");
        ApiKey before = key(name);
        ApiKey key = update(name, k -> k.withPlans(planNames));
        audit.change("moved key '" + name + "'", "plans " + before.plans(), "plans " + key.plans());
        return key;
    }

    ApiKey setDescription(String name, String description) {
        ApiKey before = key(name);
        ApiKey key = update(name, k -> k.withDescription(description));
        audit.change("described key '" + name + "'", "description '" + before.description() + "'",
                "description '" + key.description() + "'");
        return key;
    }

    CreatedKey rotate(String name, Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new AdminException(Kind.INVALID, "gracePeriodSeconds", grace == null ? null : String.valueOf(grace.toSeconds()),
                    "the grace period must be 0 or more seconds");
        }
        String value = generateValue();
        Instant until = grace.isZero() ? null : context.clock().instant().plus(grace);
        ApiKey before = key(name);
        ApiKey key = update(name, k -> k.rotatedTo(value, until));
        audit.change("rotated key '" + name + "'", "value " + before.hint(), "value " + key.hint()
                + " (the old value is valid " + (until == null ? "no longer" : "until " + until) + ")");
        return new CreatedKey(key, value);
    }

    void delete(String name) {
        ApiKey before = key(name);
        try {
            context.keyDirectory().remove(name);
        } catch (NoSuchElementException e) {
            throw notFound(name);
        }
        audit.change("deleted key '" + name + "'", state(before), "none");
    }

    /** Where this admin's changes are logged. */
    AuditLog audit() {
        return audit;
    }

    /** A key as the audit log shows it: enabled, value masked, plans. */
    static String state(ApiKey key) {
        return (key.enabled() ? "enabled" : "disabled") + ", value " + key.hint() + ", plans " + key.plans();
    }

    /** Adds {@code keys} at once, checked as a whole by the key directory. */
    void add(List<ApiKey> keys) {
        try {
            context.keyDirectory().add(keys);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, null, null, e.getMessage());
        }
    }

    private ApiKey update(String name, UnaryOperator<ApiKey> change) {
        try {
            return context.keyDirectory().update(name, change);
        } catch (NoSuchElementException e) {
            throw notFound(name);
        } catch (UsagePlansConfigException e) {
            throw new AdminException(Kind.INVALID, e.entry(), null, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new AdminException(Kind.INVALID, null, null, e.getMessage());
        }
    }

    private static AdminException notFound(String name) {
        return new AdminException(Kind.NOT_FOUND, "keyId", name, "no key named '" + name + "'");
    }

    private static void checkName(String name) {
        String problem = problemWithName(name);
        if (problem != null) {
            throw new AdminException(Kind.INVALID, "name", name, problem);
        }
    }

    /** What is wrong with {@code name} as a key's name, or null if nothing is. */
    static String problemWithName(String name) {
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

    /** A new key value: {@value #GENERATED_LENGTH} characters from a {@link SecureRandom}. */
    static String generateValue() {
        StringBuilder value = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            value.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return value.toString();
    }
}
