package io.usageplans.servlet;

import io.usageplans.config.Settings;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;

/**
 * The {@code usageplans.*} settings of a web application, looked up in one order everywhere: the usage-plans
 * filter's init-param, the context-param ({@code <context-param>} in web.xml), the system property, the environment
 * variable ({@code USAGEPLANS_STAGE}).
 */
public final class ContextSettings {

    private ContextSettings() {
    }

    /** The settings of the filter being initialised. */
    public static Settings of(FilterConfig config) {
        ServletContext context = config.getServletContext();
        return Settings.of(config::getInitParameter, context::getInitParameter);
    }

    /** The settings of the application's usage-plans filter (by class, whatever its name), and its context-params. */
    public static Settings of(ServletContext context) {
        FilterRegistration filter = null;
        for (FilterRegistration registration : context.getFilterRegistrations().values()) {
            if (UsagePlanFilter.class.getName().equals(registration.getClassName())) {
                filter = registration;
                break;
            }
        }
        FilterRegistration found = filter;
        return Settings.of(name -> found == null ? null : found.getInitParameter(name), context::getInitParameter);
    }
}
