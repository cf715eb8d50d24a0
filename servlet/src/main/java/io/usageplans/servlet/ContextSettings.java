package io.usageplans.servlet;

import java.util.Optional;
import java.util.function.UnaryOperator;

import io.usageplans.config.Setting;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;

/**
 * The {@code usageplans.*} settings of a web application, looked up in one order everywhere: the usage-plans
 * filter's init-param, the context-param ({@code <context-param>} in web.xml), the system property, the environment
 * variable ({@code USAGEPLANS_STAGE}).
 */
public final class ContextSettings {

    private final UnaryOperator<String> initParameter;
    private final UnaryOperator<String> contextParameter;

    private ContextSettings(UnaryOperator<String> initParameter, UnaryOperator<String> contextParameter) {
        this.initParameter = initParameter;
        this.contextParameter = contextParameter;
    }

    /** The settings of the filter being initialised. */
    public static ContextSettings of(FilterConfig config) {
        ServletContext context = config.getServletContext();
        return new ContextSettings(config::getInitParameter, context::getInitParameter);
    }

    /** The settings of the application's usage-plans filter (by class, whatever its name), and its context-params. */
    public static ContextSettings of(ServletContext context) {
        FilterRegistration filter = null;
        for (FilterRegistration registration : context.getFilterRegistrations().values()) {
            if (UsagePlanFilter.class.getName().equals(registration.getClassName())) {
                filter = registration;
                break;
            }
        }
        FilterRegistration found = filter;
        return new ContextSettings(name -> found == null ? null : found.getInitParameter(name), context::getInitParameter);
    }

    public Optional<Setting> find(String name) {
        return Setting.find(name, initParameter, contextParameter);
    }

    /** The init-param, else the context-param, as the single adapter parameter the core's lookups take. */
    public UnaryOperator<String> parameters() {
        return name -> {
            String value = initParameter.apply(name);
            return value != null && !value.isBlank() ? value : contextParameter.apply(name);
        };
    }
}
