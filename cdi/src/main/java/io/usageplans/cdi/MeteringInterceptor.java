package io.usageplans.cdi;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.UsagePlanRejectedException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * Meters a bean method against the key of the current request, or the key set with
 * {@link MeteringContext#withKey}. A call an outer layer settled (metered by the filter, the JAX-RS feature or an
 * outer metered bean, or not counted because of a skip/only condition) is not metered again. A refused call throws a
 * {@link UsagePlanRejectedException}. In a request, the filter completes the decision with the response's status
 * ({@code countStatuses}); a call outside one completes as 200 when it returns and as 500 when it throws.
 */
@Metered
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 100)
public class MeteringInterceptor implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Map<Method, String> IDS = new ConcurrentHashMap<>();

    @Inject
    UsagePlansExtension extension;

    @AroundInvoke
    public Object meter(InvocationContext invocation) throws Exception {
        MeteringContext context = MeteringContext.current().orElse(null);
        if (context != null && context.settled()) {
            return invocation.proceed();
        }
        Method method = invocation.getMethod();
        String routeId = IDS.computeIfAbsent(method, m -> Routes.id(beanClass(invocation, m), m));
        if (context == null || (context.apiKey() == null && !context.fromRequest())) {
            throw new IllegalStateException("usage-plans: " + routeId + " is metered, but it was called outside an HTTP "
                    + "request and without MeteringContext.withKey(apiKey, ...): there is no API key to charge it to");
        }
        Decision decision = extension.engine().decideRoute(context.apiKey(), routeId);
        if (!decision.passes()) {
            throw UsagePlanRejectedException.of(decision);
        }
        MeteringContext.Responder responder = context.fromRequest() ? context.responder().orElse(null) : null;
        boolean completeHere = decision.metered() && responder == null;
        if (decision.metered() && responder != null) {
            responder.completeWithResponse(decision);
        }
        MeteringContext previous = MeteringContext.enterMetered(decision);
        boolean returned = false;
        try {
            Object result = invocation.proceed();
            returned = true;
            return result;
        } finally {
            MeteringContext.restore(previous);
            if (completeHere) {
                extension.engine().complete(decision, returned ? 200 : 500);
            }
        }
    }

    /** The bean's own class (not a container subclass or proxy) that declares or inherits the method. */
    private static Class<?> beanClass(InvocationContext invocation, Method method) {
        Object target = invocation.getTarget();
        Class<?> type = target == null ? method.getDeclaringClass() : target.getClass();
        while (type != null && (type.isSynthetic() || type.getName().contains("$$") || type.getName().contains("$Proxy$"))) {
            type = type.getSuperclass();
        }
        return type == null ? method.getDeclaringClass() : type;
    }
}
