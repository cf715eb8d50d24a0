package com.example.orders.code;

import io.usageplans.Quota;
import io.usageplans.ApiKey;
import io.usageplans.ApiStage;
import io.usageplans.Catalog;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.Throttle;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The newcomer's orders app with its plans and keys built in code instead of a plan file, exactly as the README's
 * "Replace any part with an alternative producer" has it. The same plans as the app's {@code usage-plans.yaml}, but
 * one key of its own ({@code orders-code-key-0123456789}, pro), so that a caller can tell which catalog runs.
 * {@link io.usageplans.servers.NewcomerIT} deploys the app with this class in {@code WEB-INF/classes} and without
 * the plan file.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class CodeCatalog {

    /** The key only this catalog has. */
    public static final String KEY = "orders-code-key-0123456789";

    @Produces
    @Singleton
    Catalog catalog() {
        return Catalog.builder().api("OrdersAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(5).period(QuotaPeriod.DAY))
                        .stage("shop")
                        .build())
                .plan(Plan.builder("pro").throttle(Throttle.rateLimit(50).burstLimit(100)).quota(Quota.limit(1000).period(QuotaPeriod.DAY))
                        .stage(ApiStage.of("shop").withMethodThrottle("/api/orders/{id}/GET", Throttle.rateLimit(1).burstLimit(2)))
                        .build())
                .apiKey(ApiKey.builder("code-customer").value(KEY).plans("pro").build())
                .build();
    }
}
