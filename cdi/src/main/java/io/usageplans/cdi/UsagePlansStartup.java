package io.usageplans.cdi;

import java.time.Clock;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.Setting;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.servlet.ApiKeyResolver;
import io.usageplans.servlet.UsagePlanFilter;
import io.usageplans.spi.UsageStore;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;

/**
 * Starts the engine from the CDI beans (catalog, clock, store) and the routes the extension compiled, before any
 * filter or servlet starts, and hands it to the filter through the servlet context. Registered by this jar's
 * {@code web-fragment.xml}; embedded servers add it themselves.
 */
public class UsagePlansStartup implements ServletContextListener {

    /** Setting for the JAX-RS application path when it cannot be found (e.g. {@code /api}). */
    public static final String JAXRS_PATH = "usageplans.jaxrs-path";

    private static final System.Logger LOG = System.getLogger(UsagePlansStartup.class.getName());
    private static final Set<String> JAXRS_SERVLETS = Set.of("org.glassfish.jersey.servlet.ServletContainer",
            "org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher",
            "org.jboss.resteasy.plugins.server.servlet.HttpServletDispatcher",
            "com.ibm.websphere.jaxrs.server.IBMRestServlet", "org.apache.cxf.jaxrs.servlet.CXFNonSpringJaxrsServlet");

    private UsagePlans engine;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        if (context.getAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE) != null) {
            return; // the application built its own engine
        }
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "usage-plans: no CDI container in this application; the filter works "
                    + "from the plan file, but annotations on beans and JAX-RS resources are not read");
            return;
        }
        try {
            UsagePlansExtension extension = cdi.getBeanManager().getExtension(UsagePlansExtension.class);
            Catalog catalog = cdi.select(Catalog.class).get();
            String stage = UsagePlanFilter.stage(context::getInitParameter, context.getContextPath(), catalog);
            String applicationPath = applicationPath(context, extension);
            UsagePlans.Builder builder = UsagePlans.builder(catalog);
            UsagePlanFilter.excludeModulePaths(context, builder);
            engine = builder.stage(stage)
                    .clock(cdi.select(Clock.class).get())
                    .store(cdi.select(UsageStore.class).get())
                    .routes(extension.routes(applicationPath))
                    .enabled(Setting.find(UsagePlans.ENABLED, context::getInitParameter).map(UsagePlanFilter::parseSwitch).orElse(true))
                    .build();
            // CDI beans that implement the listener SPI hear every decision, like those listed for ServiceLoader
            for (io.usageplans.spi.UsageListener listener : cdi.select(io.usageplans.spi.UsageListener.class)) {
                engine.addListener(listener);
            }
            extension.engine(engine);
            context.setAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE, engine);
            context.setAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE, cdi.select(ApiKeyResolver.class).get());
            LOG.log(System.Logger.Level.INFO, "usage-plans: engine started from CDI for stage ''{0}'', JAX-RS at ''{1}''",
                    stage, applicationPath.isEmpty() ? "/" : applicationPath);
        } catch (UsagePlansConfigException e) {
            LOG.log(System.Logger.Level.ERROR, e.getMessage());
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (engine != null) {
            event.getServletContext().removeAttribute(UsagePlanFilter.ENGINE_ATTRIBUTE);
            event.getServletContext().removeAttribute(UsagePlanFilter.RESOLVER_ATTRIBUTE);
            engine.close(); // the store is a bean: CDI closes it
            engine = null;
        }
    }

    /**
     * Where JAX-RS resources are served, relative to the context: the setting, else the mapping of the JAX-RS
     * servlet, else {@code @ApplicationPath}, else the root; never an application below the paths other modules keep
     * out of metering.
     */
    static String applicationPath(ServletContext context, UsagePlansExtension extension) {
        Optional<Setting> explicit = Setting.find(JAXRS_PATH, context::getInitParameter);
        if (explicit.isPresent()) {
            return normalize(explicit.get().value());
        }
        for (ServletRegistration registration : context.getServletRegistrations().values()) {
            String className = registration.getClassName();
            boolean jaxrs = className != null && JAXRS_SERVLETS.contains(className)
                    || registration.getName().equals("jakarta.ws.rs.core.Application");
            Collection<String> mappings = registration.getMappings();
            if (jaxrs && !mappings.isEmpty() && !underModulePaths(context, normalize(mappings.iterator().next()))) {
                return normalize(mappings.iterator().next());
            }
        }
        return extension.applicationPaths().stream().map(UsagePlansStartup::normalize)
                .filter(path -> !underModulePaths(context, path)).findFirst().orElse("");
    }

    /**
     * Whether {@code path} lies below the paths other modules keep out of metering ({@link UsagePlanFilter#EXCLUDE_ATTRIBUTE},
     * e.g. the admin API's {@code /usage-plans/*}): a JAX-RS application there (the admin's own) serves none of the
     * metered resources, so it must not decide where they are when a WAR has two.
     */
    private static boolean underModulePaths(ServletContext context, String path) {
        if (context.getAttribute(UsagePlanFilter.EXCLUDE_ATTRIBUTE) instanceof Collection<?> excluded) {
            for (Object pattern : excluded) {
                String prefix = String.valueOf(pattern);
                if (prefix.endsWith("/*") && (path + "/").startsWith(prefix.substring(0, prefix.length() - 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String normalize(String path) {
        String p = path.trim();
        if (p.endsWith("/*")) {
            p = p.substring(0, p.length() - 2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !p.startsWith("/")) {
            p = "/" + p;
        }
        return p;
    }
}
