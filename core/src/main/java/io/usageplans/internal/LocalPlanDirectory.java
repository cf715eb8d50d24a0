package io.usageplans.internal;

import java.util.List;
import java.util.function.UnaryOperator;

import io.usageplans.Plan;
import io.usageplans.spi.PlanDirectory;

/** Plans changed in this JVM only: every change recompiles the engine's catalog, validated as a whole. */
final class LocalPlanDirectory implements PlanDirectory {

    private final MeteringEngine engine;

    LocalPlanDirectory(MeteringEngine engine) {
        this.engine = engine;
    }

    @Override
    public List<Plan> plans() {
        return engine.catalog().plans();
    }

    @Override
    public void create(Plan plan) {
        synchronized (engine) {
            engine.replaceCatalog(engine.catalog().withPlans(PlanDirectory.adding(engine.catalog().plans(), plan)));
        }
    }

    @Override
    public Plan update(String name, UnaryOperator<Plan> change) {
        synchronized (engine) {
            List<Plan> all = PlanDirectory.changing(engine.catalog().plans(), name, change);
            engine.replaceCatalog(engine.catalog().withPlans(all));
            return all.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        }
    }

    @Override
    public void remove(String name) {
        synchronized (engine) {
            engine.replaceCatalog(engine.catalog().withPlans(PlanDirectory.removing(engine.catalog().plans(), name)));
        }
    }

    @Override
    public void replaceAll(List<Plan> plans) {
        synchronized (engine) {
            engine.replaceCatalog(engine.catalog().withPlans(plans));
        }
    }
}
