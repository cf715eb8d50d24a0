package io.usageplans.cdi;

import io.usageplans.testing.MutableClock;
import java.time.Clock;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Replaces the framework's clock bean with one the tests move, as an application would replace any of its beans. */
@ApplicationScoped
public class TestClock {

    static final MutableClock CLOCK = MutableClock.at("2027-03-10T12:00:00Z");

    @Produces
    @Alternative
    @Priority(100)
    @Singleton
    Clock clock() {
        return CLOCK;
    }
}
