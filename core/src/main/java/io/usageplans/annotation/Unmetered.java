package io.usageplans.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts one method of a {@link UsagePlan}-annotated class out of metering (a health check, API docs): no key
 * needed, nothing counted. On a method of a class without {@code @UsagePlan} it is a deployment error.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Unmetered {
}
