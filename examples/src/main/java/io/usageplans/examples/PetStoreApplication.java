package io.usageplans.examples;

import java.util.Set;

import io.usageplans.cdi.UsagePlanExceptionMapper;
import io.usageplans.cdi.UsagePlanFeature;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application, at the root of the WAR's context ({@code /test} gives stage {@code test}). */
@ApplicationPath("/")
public class PetStoreApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(PetsResource.class, UsageResource.class, HealthResource.class, SignupResource.class,
                UsagePlanFeature.class, UsagePlanExceptionMapper.class);
    }
}
