package io.usageplans.microprofile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.usageplans.FailMode;
import io.usageplans.Plan;
import io.usageplans.UsagePlans;
import io.usageplans.cdi.RunningEngine;
import io.usageplans.spi.StoreHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@value #NAME}: DOWN while the store cannot answer (a clustered store that lost its cluster) and a
 * plan of this stage fails closed, so that a load balancer sends traffic elsewhere instead of 503s; UP otherwise. Its
 * data: the store, the cluster members it sees, the plans, the keys, and whether metering is on.
 *
 * <p>There is deliberately no liveness check: restarting an application server because a data grid is away makes
 * things worse. A bean where MicroProfile Health is present; this jar's {@code beans.xml} leaves it out elsewhere.
 */
@Readiness
@ApplicationScoped
public class UsagePlansReadinessCheck implements HealthCheck {

    /** The check's name in {@code /health/ready}. */
    public static final String NAME = "usage-plans";

    private final Supplier<UsagePlans> engine;

    @Inject
    public UsagePlansReadinessCheck(RunningEngine running) {
        this(running::get);
    }

    /** A check of the engine {@code engine} gives (tests, or an application that runs the engine itself). */
    public UsagePlansReadinessCheck(Supplier<UsagePlans> engine) {
        this.engine = engine;
    }

    /** For CDI's proxy only. */
    protected UsagePlansReadinessCheck() {
        this.engine = null;
    }

    @Override
    public HealthCheckResponse call() {
        UsagePlans running;
        try {
            running = engine.get();
        } catch (IllegalStateException e) {
            return HealthCheckResponse.named(NAME).down().withData("state", "not started").build();
        }
        return of(running);
    }

    /** The response for {@code running}. */
    static HealthCheckResponse of(UsagePlans running) {
        StoreHealth store = running.store().health();
        List<String> failClosed = new ArrayList<>();
        for (String name : running.stagePlans()) {
            running.planOnStage(name).filter(plan -> plan.failMode() == FailMode.CLOSED && plan.enabled())
                    .map(Plan::name).ifPresent(failClosed::add);
        }
        boolean up = store.answering() || failClosed.isEmpty() || !running.enabled();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(up)
                .withData("store", running.store().kind())
                .withData("clusterMembers", store.membersSeen())
                .withData("plans", String.join(",", running.stagePlans()))
                .withData("keys", running.catalog().apiKeys().size())
                .withData("metering", running.enabled() ? "on" : "off");
        if (!store.answering()) {
            response.withData("storeProblem", store.detail())
                    .withData("failClosedPlans", String.join(",", failClosed));
        }
        return response.build();
    }
}
