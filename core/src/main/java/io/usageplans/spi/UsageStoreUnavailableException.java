package io.usageplans.spi;

/**
 * The store could not decide within its timeout (cluster unreachable, partition lost). The engine then applies
 * the plan's {@link io.usageplans.FailMode}. Nothing was consumed, as far as the caller can know.
 */
public class UsageStoreUnavailableException extends RuntimeException {

    public UsageStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
