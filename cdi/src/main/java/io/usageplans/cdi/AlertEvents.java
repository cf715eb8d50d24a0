package io.usageplans.cdi;

import io.usageplans.Decision;
import io.usageplans.UsageAlert;
import io.usageplans.spi.UsageListener;
import jakarta.enterprise.event.Event;

/**
 * Fires every {@link UsageAlert} as a CDI event, so that an application hears alerts with
 * {@code void onAlert(@Observes UsageAlert alert)}. Observers run on the engine's alert thread, never on a request's.
 */
final class AlertEvents implements UsageListener {

    private final Event<UsageAlert> events;

    AlertEvents(Event<UsageAlert> events) {
        this.events = events;
    }

    @Override
    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        // decisions are heard by listener beans; this one only fires alerts
    }

    @Override
    public void onAlert(UsageAlert alert) {
        events.fire(alert);
    }
}
