package io.usageplans.cdi;

import io.usageplans.annotation.MethodThrottle;

/** Not a bean itself: two beans inherit its metered method, and each is its own route with its own method throttle. */
public abstract class ScheduledReports {

    @MethodThrottle(rate = 1, burst = 1)
    public String run() {
        return "ran";
    }
}
