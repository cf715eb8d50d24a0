package io.usageplans.admin;

import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Configuration;

/**
 * The admin HTTP API as its own Jakarta REST application, under {@code usage-plans/admin} of the web application.
 * A {@code <servlet-mapping>} for the servlet named {@code io.usageplans.admin.UsagePlansAdminApplication} in
 * {@code web.xml} moves it, as for any application. It lists its own classes only; its resources answer 404 when
 * another application (one that scans every {@code @Path} class of the WAR) serves them.
 */
@ApplicationPath("usage-plans/admin")
public class UsagePlansAdminApplication extends Application {

    /** The property that marks this application; its resources answer only where it is set. */
    public static final String MARKER = UsagePlansAdminApplication.class.getName();

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(StatusResource.class, StatsResource.class, UsagePlansResource.class, UsageExportResource.class, ApiKeysResource.class, ReloadResource.class,
                AdminAccessFilter.class,
                ContentTypeFilter.class, ProblemMapper.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        // WADL would answer OPTIONS with an XML description (and needs JAXB); the API documents itself in the README
        return Map.of(MARKER, Boolean.TRUE, "jersey.config.server.wadl.disableWadl", Boolean.TRUE);
    }

    /** Whether {@code configuration} is this application's. */
    static boolean serves(Configuration configuration) {
        return configuration != null && Boolean.TRUE.equals(configuration.getProperty(MARKER));
    }
}
