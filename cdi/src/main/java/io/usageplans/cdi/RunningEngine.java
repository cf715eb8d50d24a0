package io.usageplans.cdi;

import io.usageplans.UsagePlans;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The engine this application runs, once {@link UsagePlansStartup} started it with the servlet context: what the
 * metering interceptor and {@code @Inject UsagePlans} are given. A bean, not a field of the extension, so that they get
 * it by injection; application-scoped (a proxy) so that a bean made before the engine starts still finds it when called.
 */
@ApplicationScoped
public class RunningEngine {

    private volatile UsagePlans engine;

    /**
     * The running engine.
     *
     * @throws IllegalStateException before the servlet context started it
     */
    public UsagePlans get() {
        UsagePlans current = engine;
        if (current == null) {
            throw new IllegalStateException("usage-plans: the engine is not started yet; it starts with the servlet context "
                    + "(UsagePlansStartup, registered by the usage-plans-cdi jar's web-fragment.xml)");
        }
        return current;
    }

    void start(UsagePlans started) {
        this.engine = started;
    }

    void stop() {
        this.engine = null;
    }
}
