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
 * {@code cost} charges a call several units against every throttle and the quota; {@code @MethodThrottle(cost = 5)}
 * alone sets a cost without a method bucket. {@code bucket} names a per-key bucket several methods share.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface MethodThrottle {

    /** Requests per second, greater than 0; decimals allowed (0.5 = one every two seconds). 0 with burst 0: no method bucket. */
    double rate() default 0;

    /** Requests that may arrive at once, at least 1. 0 with rate 0: no method bucket. */
    int burst() default 0;

    /** Units a call is charged against the method bucket, the plan's bucket and the quota; at least 1. */
    int cost() default 1;

    /** A bucket name shared by every method that names it (per key), e.g. {@code "reports"}; empty: this method's own. */
    String bucket() default "";

    /** The plans the throttle applies to; empty means every plan. */
    String[] plans() default {};
}
