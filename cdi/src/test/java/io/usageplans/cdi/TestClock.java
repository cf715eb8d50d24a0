package io.usageplans.cdi;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Replaces the framework's clock bean with one the tests move, as an application would replace any of its beans. */
@ApplicationScoped
public class TestClock {

    static final MovableClock CLOCK = new MovableClock();

    @Produces
    @Alternative
    @Priority(100)
    @Singleton
    Clock clock() {
        return CLOCK;
    }

    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2027-03-10T12:00:00Z"));

        void set(Instant instant) {
            now.set(instant);
        }

        void advance(java.time.Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
