package io.usageplans.manage;

import java.util.function.Supplier;

import io.usageplans.manage.AdminException.Kind;
import io.usageplans.spi.UsageStore;

/** Asks a store only for what it declares it can do (quota reads and updates, usage history). */
final class StoreAbility {

    private StoreAbility() {
    }

    /** Runs {@code operation} if {@code store} declares {@code needed}; otherwise answers 501 Not Implemented. */
    static <T> T require(UsageStore store, UsageStore.Capability needed, Supplier<T> operation) {
        if (!store.can(needed)) {
            throw new AdminException(Kind.NOT_SUPPORTED, null, null, store.getClass().getName() + " does not declare "
                    + needed + " (UsageStore.capabilities())");
        }
        return operation.get();
    }
}
