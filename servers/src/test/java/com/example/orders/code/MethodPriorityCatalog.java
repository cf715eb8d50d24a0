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
 * The catalog built in code with the priority on the producer method, as a user writes it who knows CDI 4.1
 * ({@code @Produces @Alternative @Priority(1)}). CDI 4.0 (WildFly 39) selects such a producer only when its class has a
 * priority; the CDI module makes it work there too. Its own key tells which catalog runs.
 */
@ApplicationScoped
public class MethodPriorityCatalog {

    /** The key only this catalog has. */
    public static final String KEY = "orders-method-key-0123456789";

    @Produces
    @Alternative
    @Priority(1)
    @Singleton
    Catalog catalog() {
        return Catalog.builder().api("OrdersAPI")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(20)).quota(Quota.limit(5).period(QuotaPeriod.DAY)).stage("shop").build())
                .plan(Plan.builder("pro").throttle(Throttle.rateLimit(50).burstLimit(100)).quota(Quota.limit(1000).period(QuotaPeriod.DAY))
                        .stage(ApiStage.of("shop").withMethodThrottle("/api/orders/{id}/GET", Throttle.rateLimit(1).burstLimit(2)))
                        .build())
                .apiKey(ApiKey.builder("method-customer").value(KEY).plans("pro").build())
                .build();
    }
}
