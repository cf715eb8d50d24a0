package io.usageplans.manage;

import java.time.Instant;

import io.usageplans.Plan;
import io.usageplans.QuotaWindow;
import io.usageplans.manage.AdminException.Kind;
import io.usageplans.spi.QuotaUpdate;
import io.usageplans.spi.UsageStore;

/**
 * A key's quota on a plan in the current period: read, and what remains set, extended or reset (AWS UpdateUsage),
 * where the store declares it can ({@link UsageStore.Capability#QUOTA_READ}, {@link UsageStore.Capability#QUOTA_UPDATE}).
 */
final class QuotaOperations {

    private final AdminContext context;
    private final StagePlans plans;
    private final KeyOperations keys;

    QuotaOperations(AdminContext context, StagePlans plans, KeyOperations keys) {
        this.context = context;
        this.plans = plans;
        this.keys = keys;
    }

    QuotaStatus quota(String planName, String keyName) {
        Plan plan = plans.withQuota(planName);
        keys.key(keyName);
        QuotaWindow window = context.quotaWindow(planName);
        UsageStore store = context.store();
        long used = StoreAbility.require(store, UsageStore.Capability.QUOTA_READ,
                () -> store.quotaUsed(UsageStore.stateKey(keyName, planName), window));
        return status(plan, keyName, window, used);
    }

    QuotaStatus setRemaining(String planName, String keyName, long remaining) {
        if (remaining < 0) {
            throw new AdminException(Kind.INVALID, "remaining", String.valueOf(remaining), "the remaining quota must be 0 or more");
        }
        Plan plan = plans.withQuota(planName);
        return update(plan, keyName, QuotaUpdate.setUsed(plan.quota().limit() - remaining));
    }

    QuotaStatus extendRemaining(String planName, String keyName, long units) {
        if (units < 1) {
            throw new AdminException(Kind.INVALID, "extendBy", String.valueOf(units), "the extension must be 1 or more units");
        }
        return update(plans.withQuota(planName), keyName, QuotaUpdate.addUsed(-units));
    }

    QuotaStatus reset(String planName, String keyName) {
        return update(plans.withQuota(planName), keyName, QuotaUpdate.setUsed(0));
    }

    private QuotaStatus update(Plan plan, String keyName, QuotaUpdate update) {
        keys.key(keyName);
        QuotaWindow window = context.quotaWindow(plan.name());
        Instant now = context.clock().instant();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        UsageStore store = context.store();
        String stateKey = UsageStore.stateKey(keyName, plan.name());
        String before = store.can(UsageStore.Capability.QUOTA_READ) && store.can(UsageStore.Capability.QUOTA_UPDATE)
                ? (window.limit() - store.quotaUsed(stateKey, window)) + " of " + window.limit() + " remain" : "unknown";
        long used = StoreAbility.require(store, UsageStore.Capability.QUOTA_UPDATE,
                () -> store.updateQuota(stateKey, window, update, nowNanos));
        QuotaStatus status = status(plan, keyName, window, used);
        keys.audit().change("changed the quota of key '" + keyName + "' on plan " + plan.name(), before,
                status.remaining() + " of " + status.limit() + " remain until " + status.periodEnd());
        return status;
    }

    private static QuotaStatus status(Plan plan, String keyName, QuotaWindow window, long used) {
        return new QuotaStatus(plan.name(), keyName, window.limit(), used, Math.max(0, window.limit() - used), plan.quota().period(),
                Instant.ofEpochMilli(window.startMillis()), Instant.ofEpochMilli(window.endMillis()));
    }
}
