package io.usageplans.cdi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.usageplans.Decision;
import io.usageplans.spi.UsageListener;
import jakarta.enterprise.context.ApplicationScoped;

/** A listener written as a CDI bean, as an application would for audit logs: the engine finds it without registration. */
@ApplicationScoped
public class RecordingListener implements UsageListener {

    static final List<String> HEARD = new CopyOnWriteArrayList<>();

    @Override
    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
        HEARD.add(decision.outcome() + " " + decision.planName() + " " + httpMethod + " " + path);
    }
}
