package com.example.orders.code;

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
                .plan(Plan.builder("basic").throttle(10, 20).quota(5, QuotaPeriod.DAY).stage("shop").build())
                .plan(Plan.builder("pro").throttle(50, 100).quota(1000, QuotaPeriod.DAY)
                        .stage(ApiStage.of("shop").withMethodThrottle("/api/orders/{id}/GET", Throttle.of(1, 2)))
                        .build())
                .apiKey(ApiKey.builder("method-customer").value(KEY).plans("pro").build())
                .build();
    }
}
