package io.usageplans.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
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
            if (engine.catalog().plan(plan.name()).isPresent()) {
                throw new IllegalArgumentException("a plan named '" + plan.name() + "' exists already");
            }
            List<Plan> all = new ArrayList<>(engine.catalog().plans());
            all.add(plan);
            engine.replaceCatalog(engine.catalog().withPlans(all));
        }
    }

    @Override
    public Plan update(String name, UnaryOperator<Plan> change) {
        synchronized (engine) {
            List<Plan> all = new ArrayList<>(engine.catalog().plans());
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).name().equals(name)) {
                    Plan changed = change.apply(all.get(i));
                    if (!changed.name().equals(name)) {
                        throw new IllegalArgumentException("a plan's name cannot change: " + name + " -> " + changed.name());
                    }
                    all.set(i, changed);
                    engine.replaceCatalog(engine.catalog().withPlans(all));
                    return changed;
                }
            }
            throw new NoSuchElementException("no plan named '" + name + "'");
        }
    }

    @Override
    public void remove(String name) {
        synchronized (engine) {
            List<Plan> all = new ArrayList<>(engine.catalog().plans());
            if (!all.removeIf(p -> p.name().equals(name))) {
                throw new NoSuchElementException("no plan named '" + name + "'");
            }
            engine.replaceCatalog(engine.catalog().withPlans(all));
        }
    }

    @Override
    public void replaceAll(List<Plan> plans) {
        synchronized (engine) {
            engine.replaceCatalog(engine.catalog().withPlans(plans));
        }
    }
}
