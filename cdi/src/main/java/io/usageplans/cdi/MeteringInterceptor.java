package io.usageplans.cdi;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.usageplans.Decision;
import io.usageplans.routing.MeteringContext;
import io.usageplans.UsagePlanRejectedException;
import io.usageplans.UsagePlans;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Intercepted;
import jakarta.enterprise.inject.spi.Bean;
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
    /** Route ids by bean class and method: two beans that inherit one method are two routes. */
    private static final Map<Class<?>, Map<Method, String>> IDS = new ConcurrentHashMap<>();

    private final RunningEngine engine;
    private final Class<?> beanClass;

    /** Given the engine and the bean it intercepts, as SmallRye Fault Tolerance's interceptor is. */
    @Inject
    public MeteringInterceptor(RunningEngine engine, @Intercepted Bean<?> bean) {
        this.engine = engine;
        this.beanClass = bean.getBeanClass();
    }

    @AroundInvoke
    public Object meter(InvocationContext invocation) throws Exception {
        MeteringContext context = MeteringContext.current().orElse(null);
        if (context != null && context.settled()) {
            return invocation.proceed();
        }
        Method method = invocation.getMethod();
        String routeId = IDS.computeIfAbsent(beanClass, type -> new ConcurrentHashMap<>())
                .computeIfAbsent(method, m -> Routes.id(beanClass, m));
        if (context == null || (context.apiKey() == null && !context.fromRequest())) {
            throw new IllegalStateException("usage-plans: " + routeId + " is metered, but it was called outside an HTTP "
                    + "request and without MeteringContext.withKey(apiKey, ...): there is no API key to charge it to");
        }
        UsagePlans running = engine.get();
        Decision decision = running.decideRoute(context.apiKey(), context.clientAddress(), routeId);
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
                running.complete(decision, returned ? 200 : 500);
            }
        }
    }
}
