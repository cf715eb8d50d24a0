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
            case CLASS -> {
                try {
                    yield (MeteringCondition) Class.forName(name, true, loader).getConstructor().newInstance();
                } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                    throw new UsagePlansConfigException("skip/only", "class '" + name + "' is not a public class implementing "
                            + MeteringCondition.class.getName() + " with a no-argument constructor (" + e + ")");
                }
            }
        };
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
