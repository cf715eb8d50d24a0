package io.usageplans.config;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.UsagePlansConfigException;

/**
 * The stage an application serves and where that came from, so that start-up lines and errors can say it:
 * the setting {@code usageplans.stage}, else the context path without its slash ({@code /test} is {@code test}),
 * else, at the root context, the plans' only stage.
 *
 * @param name   the stage, e.g. {@code test}
 * @param origin e.g. {@code context-param usageplans.stage} or {@code the context path /test}
 */
record StageSetting(String name, String origin) {

    static StageSetting of(Settings settings, String contextPath, Catalog catalog) {
        Optional<Setting> explicit = settings.find(EngineBootstrap.STAGE);
        if (explicit.isPresent()) {
            return new StageSetting(explicit.get().value(), explicit.get().origin());
        }
        if (contextPath != null && contextPath.length() > 1) {
            return new StageSetting(contextPath.substring(1), "the context path " + contextPath
                    + ", as usageplans.stage is not set");
        }
        Set<String> stages = new LinkedHashSet<>();
        for (Plan plan : catalog.plans()) {
            plan.apiStages().forEach(s -> stages.add(s.stage()));
        }
        if (stages.size() == 1) {
            return new StageSetting(stages.iterator().next(), "the plans' only stage, at the root context");
        }
        throw new UsagePlansConfigException(EngineBootstrap.STAGE, "the application runs at the root context, so its stage "
                + "cannot be taken from the context path, and the plans name " + (stages.isEmpty() ? "no stage" : "stages "
                + stages) + "; set usageplans.stage (context-param, init-param, system property or USAGEPLANS_STAGE)");
    }
}
