package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.usageplans.spi.UsageListener;
import io.usageplans.testing.LogRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What is given to {@link UsagePlans#closeWith} closes with the engine: last first, before the listeners, each once. */
class EngineCloseTest {

    private final List<String> closed = Collections.synchronizedList(new ArrayList<>());
    @RegisterExtension
    private final LogRecorder log = LogRecorder.of(UsagePlans.class);

    /** Each record as "LEVEL message", and " / " and the cause's message where there is one. */
    private List<String> lines() {
        return log.records().stream().map(record -> record.getLevel().getName() + " " + record.getMessage()
                + (record.getThrown() == null ? "" : " / " + record.getThrown().getMessage())).toList();
    }

    private UsagePlans engine() {
        return UsagePlans.builder(Catalog.builder()
                        .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(10)).stage("test").build()).build()).stage("test").discoverListeners(false)
                .listener(new UsageListener() {
                    @Override
                    public void onDecision(Decision decision, String stage, String httpMethod, String path) {
                    }

                    @Override
                    public void closed() {
                        closed.add("listener");
                    }
                }).build();
    }

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    @Test
    void resourcesGivenToTheEngineCloseWithItLastFirstBeforeItsListeners() {
        UsagePlans engine = engine();
        engine.closeWith(named("first"));
        engine.closeWith(named("second"));
        assertEquals(List.of(), closed, "nothing closes before the engine does");

        engine.close();

        assertEquals(List.of("second", "first", "listener"), closed);
    }

    @Test
    void aResourceThatFailsToCloseIsLoggedAndTheOthersStillClose() {
        UsagePlans engine = engine();
        engine.closeWith(named("first"));
        engine.closeWith(() -> {
            throw new IllegalStateException("the disk went away");
        });

        engine.close();

        assertEquals(List.of("first", "listener"), closed);
        List<String> lines = lines();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("WARNING usage-plans: ") && l.contains("failed to close with "
                + "the engine; the rest is closed / the disk went away")).count(), lines.toString());
    }

    @Test
    void aResourceGivenAfterTheEngineClosedIsClosedAtOnceAndEachClosesOnce() {
        UsagePlans engine = engine();
        engine.closeWith(named("early"));
        engine.close();
        engine.closeWith(named("late"));
        assertTrue(closed.contains("late"), closed.toString());

        engine.close();

        assertEquals(1, closed.stream().filter("early"::equals).count(), closed.toString());
        assertEquals(1, closed.stream().filter("late"::equals).count(), closed.toString());
    }
}
