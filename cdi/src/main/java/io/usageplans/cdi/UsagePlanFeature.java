package io.usageplans.cdi;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

import io.usageplans.routing.AnnotatedRoutes;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.UsagePlans;
import io.usageplans.servlet.UsagePlansBootstrap;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;

/**
 * Binds a metering filter to every annotated JAX-RS resource method, for requests the servlet filter did not
 * meter by path (a resource CDI did not discover, an application path found only at run time). The filter meters
 * by the route compiled at start-up, or registers the route here, once, when JAX-RS starts. Register it (with
 * {@link UsagePlanExceptionMapper}) in your {@code Application} if your server does not scan providers.
 */
@Provider
public class UsagePlanFeature implements DynamicFeature {

    @Context
    private ServletContext servletContext;

    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
        Class<?> type = resource.getResourceClass();
        Method method = resource.getResourceMethod();
        if (type == null || method == null || !(AnnotatedRoutes.isAnnotated(type))) {
            return;
        }
        String id = Routes.id(type, method);
        Optional<RouteDefinition> route = AnnotatedRoutes.read(type, method, null, id);
        if (route.isEmpty()) {
            return;
        }
        UsagePlans engine = engine();
        if (engine == null) {
            return; // no engine in this application: nothing to enforce
        }
        if (!engine.hasRoute(id)) {
            engine.addRoutes(List.of(route.get()));
        }
        context.register(new MeteringRequestFilter(engine, id), Priorities.AUTHORIZATION + 10);
    }

    private UsagePlans engine() {
        return servletContext == null ? null : UsagePlansBootstrap.running(servletContext).orElse(null);
    }
}
