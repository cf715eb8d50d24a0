package io.usageplans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.usageplans.spi.UsageListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is given to {@link UsagePlans#closeWith} closes with the engine: last first, before the listeners, each once. */
class EngineCloseTest {

    private final List<String> closed = Collections.synchronizedList(new ArrayList<>());
    /** Held here: a logger only the log manager references may be collected, and its handler with it. */
    private final Logger logger = Logger.getLogger(UsagePlans.class.getName());
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            log.add(record.getLevel().getName() + " " + record.getMessage()
                    + (record.getThrown() == null ? "" : " / " + record.getThrown().getMessage()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(handler);
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
        assertEquals(1, log.stream().filter(l -> l.startsWith("WARNING usage-plans: ") && l.contains("failed to close with "
                + "the engine; the rest is closed / the disk went away")).count(), log.toString());
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
