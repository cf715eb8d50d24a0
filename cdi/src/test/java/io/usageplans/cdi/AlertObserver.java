package io.usageplans.cdi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.usageplans.UsageAlert;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Hears alerts as an application would: a bean with an observer method, nothing registered. */
@ApplicationScoped
public class AlertObserver {

    static final List<UsageAlert> HEARD = new CopyOnWriteArrayList<>();

    void onAlert(@Observes UsageAlert alert) {
        HEARD.add(alert);
    }
}
