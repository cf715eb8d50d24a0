package io.usageplans.cdi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.interceptor.InterceptorBinding;

/**
 * The interceptor binding the extension adds to every bean class or method carrying {@code @UsagePlan},
 * {@code @MethodThrottle} or {@code @Unmetered}; applications use those annotations, not this one.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Metered {

    /** The annotation instance the extension adds. */
    final class Literal extends AnnotationLiteral<Metered> implements Metered {
        public static final Literal INSTANCE = new Literal();
        private static final long serialVersionUID = 1L;

        private Literal() {
        }
    }
}
