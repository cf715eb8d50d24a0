package io.usageplans.servlet;

import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.usageplans.Condition;
import io.usageplans.PathPattern;
import io.usageplans.UsagePlansConfigException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * A test on a request, evaluated before metering: the plan file's {@code skip:} (not metered when one matches) and
 * {@code only:} (metered only when one matches). Implement it for conditions of your own and name the class in the
 * plan file ({@code - class: com.acme.InternalCaller}); it needs a public no-argument constructor.
 */
@FunctionalInterface
public interface MeteringCondition {

    boolean test(HttpServletRequest request);

    /** The built-in conditions, compiled once. */
    static MeteringCondition of(Condition condition, ClassLoader loader) {
        String name = condition.name();
        String value = condition.value();
        return switch (condition.kind()) {
            case HEADER -> {
                if (value == null) {
                    yield request -> request.getHeader(name) != null;
                }
                if (condition.regex()) {
                    Pattern pattern = Pattern.compile(value);
                    yield request -> {
                        String header = request.getHeader(name);
                        return header != null && pattern.matcher(header).matches();
                    };
                }
                yield request -> value.equals(request.getHeader(name));
            }
            case METHOD -> request -> name.equals(request.getMethod());
            case QUERY -> request -> {
                String parameter = QueryString.parameter(request, name);
                return value == null ? parameter != null : value.equals(parameter);
            };
            case PATH -> {
                PathPattern pattern = PathPattern.of(name);
                yield request -> pattern.matches(request.getPathInfo() == null ? request.getServletPath()
                        : request.getServletPath() + request.getPathInfo());
            }
            case ROLE -> request -> {
                Principal principal = request.getUserPrincipal();
                return principal != null && request.isUserInRole(name);
            };
            case CLASS -> custom(name, loader);
        };
    }

    /**
     * A condition class of the application's, made once with its no-argument constructor.
     *
     * @throws UsagePlansConfigException (entry {@code class}) saying what is wrong with the class
     */
    private static MeteringCondition custom(String name, ClassLoader loader) {
        String problem;
        try {
            Class<?> type = Class.forName(name, false, loader);
            if (!MeteringCondition.class.isAssignableFrom(type)) {
                problem = "class '" + name + "' does not implement " + MeteringCondition.class.getName();
            } else {
                return (MeteringCondition) type.getConstructor().newInstance();
            }
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            problem = "class '" + name + "' was not found by the application's class loader; check the name (a nested "
                    + "class is Outer$Inner) and that its jar is in the application";
        } catch (NoSuchMethodException e) {
            problem = "class '" + name + "' has no public no-argument constructor";
        } catch (IllegalAccessException e) {
            problem = "class '" + name + "' or its no-argument constructor is not public";
        } catch (InstantiationException e) {
            problem = "class '" + name + "' is abstract; name a class that can be made";
        } catch (java.lang.reflect.InvocationTargetException e) {
            problem = "the constructor of class '" + name + "' failed: " + e.getCause();
        } catch (LinkageError e) {
            problem = "class '" + name + "' could not be loaded: " + e;
        }
        throw new UsagePlansConfigException("class", problem);
    }

    /** All of {@code conditions}, compiled. */
    static List<MeteringCondition> compile(List<Condition> conditions, ClassLoader loader) {
        List<MeteringCondition> compiled = new ArrayList<>();
        for (Condition condition : conditions) {
            compiled.add(of(condition, loader));
        }
        return compiled;
    }
}
