package io.usageplans.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A per-key throttle on one endpoint or bean method, in addition to the plan's throttle, as AWS's method-level
 * throttling: a bucket of {@code burst} requests refilled at {@code rate} per second. It is the annotation form
 * of the plan file's {@code apiStages[].throttle}; when both name the same method, the plan file wins.
 * A method with only this annotation needs a key on any plan, as with {@code @UsagePlan}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface MethodThrottle {

    /** Requests per second, greater than 0; decimals allowed (0.5 = one every two seconds). */
    double rate();

    /** Requests that may arrive at once, at least 1. */
    int burst();

    /** The plans the throttle applies to; empty means every plan. */
    String[] plans() default {};
}
