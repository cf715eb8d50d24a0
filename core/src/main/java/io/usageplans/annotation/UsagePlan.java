package io.usageplans.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A caller needs an API key subscribed, on this stage, to one of the named plans; the request is metered under
 * that plan (its throttle and quota). With no names, any plan of the key on this stage will do (AWS's "API key
 * required"). On a class it covers every endpoint or business method; on a method it wins over the class.
 *
 * <p>{@code keyless = "signup"} meters callers without a key instead: each client address on its own, under the named
 * plan's throttle and quota (a sign-up or log-in endpoint, before the caller has a key). It cannot be combined with plan
 * names.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface UsagePlan {

    /** The plans that may call; empty means any plan of the key on this stage. */
    String[] value() default {};

    /** The plan that meters each client address, for callers without a key; empty: callers need a key. */
    String keyless() default "";
}
