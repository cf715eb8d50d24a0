package io.usageplans.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A throttle for all callers of one endpoint together, keyed or not, as AWS's stage-level method throttling: one
 * bucket of {@code burst} requests refilled at {@code rate} per second, shared by every caller (and, with a clustered
 * store, by every member). It protects a slow backend from all keys together; it is checked after the caller's own
 * limits, and a request it refuses consumes nothing from them. The annotation form of the plan file's
 * {@code stages[].throttle}; when both name the same method, the plan file wins. It does not make a method need a key.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface StageThrottle {

    /** Requests per second for all callers together, greater than 0; decimals allowed. */
    double rate();

    /** Requests that may arrive at once from all callers together, at least 1. */
    int burst();
}
